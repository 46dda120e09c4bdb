/**
 * Scale, measured: three real `escalon serve` nodes on one PostgreSQL database holding N tickets
 * (default 1,000,000, of which 100,000 open with live timers), an open-loop API load spread over
 * the nodes while timers come due, and what it costs. Figures and the projection built on them:
 * docs/scaling.md; results in docs/benchmarks.md ("Scale").
 *
 *   npx tsx bench/scale.bench.ts [--tickets 1000000] [--open 100000] [--orgs 100] [--reuse]
 *     [--generate-only] [--rate 50] [--duration 60] [--fire-only 20] [--open-span 3h]
 *     [--nodes 3] [--split all|api-scheduler] [--port 45100] [--db escalon_scale] [--prepare 4m]
 *     [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Every option can also be given as an environment variable SCALE_<NAME> (SCALE_TICKETS=…,
 * SCALE_RATE=…; flags as SCALE_REUSE=1). What a run does:
 *
 * 1. Base data (skipped with --reuse when the database holds it): drops and creates ONLY the
 *    database named by --db on the server of --admin-url, migrates it, and bulk-loads (multi-row
 *    `INSERT … SELECT FROM unnest(…)`, 5,000 tickets a statement batch) `--orgs` organizations
 *    with ten customers each, twenty agents, and tickets − open solved tickets spread over two
 *    years with their events (bench/report-generate.ts: ~10 each), two comments each and their
 *    reporting rollups (ticket_facts, ticket_stints). Foreign keys of events and comments are
 *    dropped for the load and put back (validated) after it.
 * 2. Open tickets (at every run: the previous run's open and API-made tickets are deleted
 *    first): the reference policy applied, four template tickets made through the live engine,
 *    and `--open` copies of them (bench/timers-data.ts: an enterprise organization's 24x7 SLA
 *    calendar, so a copy opened Δ earlier is the template shifted by Δ) opened over the
 *    `--open-span` before the run, spread over the organizations, with the timer rows the
 *    engine derives — so timers fall due through the run, at their real wall-clock moments.
 * 3. `--nodes` processes `node bin/escalon.js serve` on ports port+1…, each with its own pool
 *    (10 connections) and listener. `--split all`: every node runs api, scheduler, notifier;
 *    `--split api-scheduler`: every node runs api and scheduler, none the notifier (the outbox
 *    then only grows). An SSE client on each node (GET /api/v1/stream).
 * 4. Phase "fire-only" (`--fire-only` s): timers fire, no API load — DB CPU per firing.
 *    Phase "load" (`--duration` s): open-loop requests at `--rate`/s in total (they are sent on
 *    schedule whether or not earlier ones answered), round-robin over the nodes: 20 % ticket
 *    creations, 30 % comments (on tickets created in this run, sent to the node that created the
 *    ticket, so another node can only hear of it by fan-out), 50 % ticket reads (open tickets).
 *    Before the phases, 10 s of the same load warm the nodes up (not measured).
 * 5. Measured: API throughput and latency p50/p99 per kind; firing lag p50/p99 of every timer
 *    due in the two phases (events.recorded_at − the timer's due moment, joined on the timers
 *    snapshot taken before the phases; the nodes' /metrics histograms beside it); SSE fan-out
 *    lag (from a write's HTTP answer to its ticket key arriving on each node's stream: same node
 *    and other nodes, with how many arrived at all); database CPU: utime+stime from
 *    /proc/<pid>/stat of every PostgreSQL client backend connected to --db (sampled every 250 ms;
 *    autovacuum workers in the database reported apart; the server's shared processes not
 *    counted), per 1,000 requests and per 1,000
 *    firings; the nodes' own CPU likewise; WAL bytes (pg_current_wal_lsn — cluster-wide, so
 *    other databases' writes on a shared server are included: an upper bound); table and index
 *    sizes (pg_total_relation_size) with row counts.
 *
 * Prints a table and writes JSON to bench/out/scale-<timestamp>.json. Never run in CI; the
 * PostgreSQL server must run on this machine (for /proc). `--generate-only` stops after step 2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { digest, newTokenSecret } from '../src/auth/secrets.ts';
import type { TicketState } from '../src/domain/engine/types.ts';
import type { Priority } from '../src/domain/policy/types.ts';
import { deriveTicketRollup } from '../src/domain/reporting/ticket-facts.ts';
import { factsToRow, stintToRow } from '../src/reporting/rollup-rows.ts';
import { openStore, type Store } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { newId } from '../src/store/new-id.ts';
import { generateTicket, rng } from './report-generate.ts';
import { makeTemplates, shiftState, type Templates } from './timers-data.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1] as string;
  return process.env[`SCALE_${name.toUpperCase().replaceAll('-', '_')}`] ?? fallback;
}
function flag(name: string): boolean {
  const v = process.env[`SCALE_${name.toUpperCase().replaceAll('-', '_')}`];
  return process.argv.includes(`--${name}`) || v === '1' || v === 'true';
}
function duration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v);
  if (!m) throw new Error(`not a duration: ${v} (e.g. 90s, 3h)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

const TICKETS = Number(opt('tickets', '1000000'));
const OPEN = Number(opt('open', '100000'));
const ORGS = Number(opt('orgs', '100'));
const RATE = Number(opt('rate', '50'));
const DURATION_MS = duration(opt('duration', '60'));
const FIRE_ONLY_MS = duration(opt('fire-only', '20'));
const OPEN_SPAN_MS = duration(opt('open-span', '3h'));
const NODES = Number(opt('nodes', '3'));
/** How long making the open tickets, starting the nodes and the warm-up may take: the phases start after it. */
const PREPARE_MS = opt('prepare', '') === '' ? null : duration(opt('prepare', ''));
const SPLIT = opt('split', 'all');
const PORT = Number(opt('port', '45100'));
const DB = opt('db', 'escalon_scale');
const ADMIN_URL = opt('admin-url', 'postgres://postgres@127.0.0.1:5432/postgres');
const REUSE = flag('reuse');
const GENERATE_ONLY = flag('generate-only');
if (!/^[a-z_][a-z0-9_]*$/.test(DB)) throw new Error(`--db must be a plain lower-case name, not ${DB}`);
if (!['all', 'api-scheduler'].includes(SPLIT)) throw new Error('--split must be all or api-scheduler');
if (!(OPEN < TICKETS)) throw new Error('--open must be below --tickets');
const DB_URL = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DB}`;
  return u.toString();
})();
/** Open copies are numbered from here; the sequence (API creations, templates) starts above them. */
const OPEN_BASE = 50_000_000;
const SEQ_START = 60_000_000;
const BATCH = 5_000;
const MIN = 60_000;

// ---------------------------------------------------------------------------------------------
// small helpers

const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
}
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const WORDS = 'customer payment checkout invoice login error timeout page report export account refund order shipment api token failed slow broken again since yesterday please urgent help data missing'.split(' ');
function text(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)] as string);
  return out.join(' ');
}

// ---------------------------------------------------------------------------------------------
// 1. base data

interface People {
  orgs: string[];
  customers: string[][];
  agents: string[];
}

async function bulkInsert(c: pg.Client, types: Map<string, Record<string, string>>, table: string, cols: string[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const t = types.get(table);
  if (!t) throw new Error(`no column types for ${table}`);
  const arrays = cols.map((_, i) => rows.map((r) => r[i] ?? null));
  const casts = cols.map((col, i) => `$${i + 1}::${t[col] ?? 'text'}[]`);
  await c.query(`insert into ${table} (${cols.join(',')}) select * from unnest(${casts.join(',')})`, arrays);
}

async function columnTypes(c: pg.Client, tables: string[]): Promise<Map<string, Record<string, string>>> {
  const m = new Map<string, Record<string, string>>();
  for (const t of tables) {
    const r = await c.query<{ column_name: string; udt_name: string }>('select column_name, udt_name from information_schema.columns where table_name = $1', [t]);
    m.set(t, Object.fromEntries(r.rows.map((x) => [x.column_name, x.udt_name])));
  }
  return m;
}

const TICKET_COLS = ['id', 'key', 'number', 'requester_id', 'organization_id', 'channel', 'subject', 'body', 'priority', 'tags', 'status', 'assignee_id', 'team', 'level', 'created_at', 'updated_at', 'solved_at', 'version', 'reassignments', 'reopens', 'escalations'];
const EVENT_COLS = ['id', 'ticket_id', 'at', 'recorded_at', 'type', 'actor', 'payload', 'internal'];
const COMMENT_COLS = ['id', 'ticket_id', 'author_id', 'author_role', 'public', 'body', 'created_at'];

async function generateBase(): Promise<{ seconds: number; tickets: number; events: number; comments: number }> {
  const started = performance.now();
  await withClient(ADMIN_URL, async (c) => {
    await c.query(`drop database if exists ${DB} with (force)`);
    await c.query(`create database ${DB}`);
  });
  const store = openStore(DB_URL, { poolSize: 1 });
  await migrateToLatest(store);
  await store.close();
  let events = 0;
  let comments = 0;
  const closed = TICKETS - OPEN;
  await withClient(DB_URL, async (c) => {
    await c.query('set synchronous_commit = off');
    const types = await columnTypes(c, ['organizations', 'users', 'tickets', 'events', 'comments', 'ticket_facts', 'ticket_stints']);
    const people: People = { orgs: [], customers: [], agents: [] };
    const orgRows: unknown[][] = [];
    const userRows: unknown[][] = [];
    for (let o = 0; o < ORGS; o++) {
      const id = newId(0);
      people.orgs.push(id);
      orgRows.push([id, `Customer ${o + 1}`, 'enterprise', 100_000, 0]);
      const cs: string[] = [];
      for (let u = 0; u < 10; u++) {
        const uid = newId(0);
        cs.push(uid);
        userRows.push([uid, `customer${u + 1}@org${o + 1}.example.com`, `Customer ${u + 1} of ${o + 1}`, 'customer', id, 1, 0]);
      }
      people.customers.push(cs);
    }
    for (let a = 0; a < 20; a++) {
      const uid = newId(0);
      people.agents.push(uid);
      userRows.push([uid, `agent${a + 1}@scale.example.com`, `Agent ${a + 1}`, 'agent', null, 1, 0]);
    }
    await bulkInsert(c, types, 'organizations', ['id', 'name', 'tier', 'contract_value', 'created_at'], orgRows);
    await bulkInsert(c, types, 'users', ['id', 'email', 'name', 'role', 'organization_id', 'active', 'created_at'], userRows);
    await c.query(`insert into bench_people (v) values ($1)`, [JSON.stringify(people)]).catch(async () => {
      await c.query('create table bench_people (v text not null)');
      await c.query(`insert into bench_people (v) values ($1)`, [JSON.stringify(people)]);
    });
    await c.query('alter table events drop constraint if exists events_ticket_id_fkey');
    await c.query('alter table comments drop constraint if exists comments_ticket_id_fkey');
    // Only solved tickets of the generator: walk its sequence, skipping the ones it leaves open.
    let i = 0;
    let made = 0;
    while (made < closed) {
      const tickets: unknown[][] = [];
      const evs: unknown[][] = [];
      const cms: unknown[][] = [];
      const facts: Record<string, unknown>[] = [];
      const stints: Record<string, unknown>[] = [];
      while (tickets.length < BATCH && made < closed) {
        const rand = rng(i + 1);
        const t = generateTicket(i, Math.round(closed / 0.9), rand);
        i++;
        if (t.solvedAt === null) continue;
        made++;
        const o = made % ORGS;
        const org = people.orgs[o] as string;
        const requester = (people.customers[o] as string[])[made % 10] as string;
        const agent = people.agents[made % people.agents.length] as string;
        const created = t.events[0];
        if (created) (created.payload as { organization: { id: string } }).organization.id = org;
        const id = newId(t.createdAt);
        tickets.push([id, `ESC-${made}`, made, requester, org, t.channel, text(rand, 6), text(rand, 60), t.priority, '[]', 'solved', agent, t.team, t.level, t.createdAt, t.solvedAt, t.solvedAt, t.events.length, 0, 0, t.events.filter((e) => e.type === 'ticket.escalated').length]);
        for (const e of t.events) {
          evs.push([newId(e.at), id, e.at, e.at, e.type, 'system', JSON.stringify(e.payload), 0]);
          if (e.type === 'comment.added') cms.push([newId(e.at), id, agent, 'agent', 1, text(rand, 30), e.at]);
        }
        const r = deriveTicketRollup(id, t.events.map((e) => ({ ...e, actor: 'system' })));
        if (r) {
          facts.push(factsToRow(r.facts) as unknown as Record<string, unknown>);
          stints.push(...r.stints.map((s) => stintToRow(s, r.facts.createdAt) as unknown as Record<string, unknown>));
        }
      }
      const factCols = Object.keys(facts[0] ?? {});
      const stintCols = Object.keys(stints[0] ?? {});
      await c.query('begin');
      await bulkInsert(c, types, 'tickets', TICKET_COLS, tickets);
      await bulkInsert(c, types, 'events', EVENT_COLS, evs);
      await bulkInsert(c, types, 'comments', COMMENT_COLS, cms);
      await bulkInsert(c, types, 'ticket_facts', factCols, facts.map((f) => factCols.map((k) => f[k])));
      await bulkInsert(c, types, 'ticket_stints', stintCols, stints.map((s) => stintCols.map((k) => s[k])));
      await c.query('commit');
      events += evs.length;
      comments += cms.length;
      process.stderr.write(`\r  base: ${made}/${closed} solved tickets, ${events} events (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
    process.stderr.write('\n');
    log('  base: foreign keys back (validated) and analyze');
    await c.query('alter table events add constraint events_ticket_id_fkey foreign key (ticket_id) references tickets(id)');
    await c.query('alter table comments add constraint comments_ticket_id_fkey foreign key (ticket_id) references tickets(id)');
    await c.query(`select setval('ticket_number_seq', ${SEQ_START})`);
    await c.query('create table if not exists bench_meta (k text primary key, v text not null)');
    await c.query(`insert into bench_meta values ('base', $1) on conflict (k) do update set v = excluded.v`, [JSON.stringify({ tickets: TICKETS, open: OPEN, orgs: ORGS, events, comments })]);
    await c.query('analyze');
  });
  return { seconds: (performance.now() - started) / 1000, tickets: closed, events, comments };
}

async function baseExists(): Promise<boolean> {
  const has = await withClient(ADMIN_URL, async (c) => (await c.query('select 1 from pg_database where datname = $1', [DB])).rowCount === 1);
  if (!has) return false;
  return withClient(DB_URL, async (c) => {
    const r = await c.query(`select v from bench_meta where k = 'base'`).catch(() => null);
    const v = r?.rows[0]?.v as string | undefined;
    if (!v) return false;
    const meta = JSON.parse(v) as { tickets: number; open: number; orgs: number };
    if (meta.tickets !== TICKETS || meta.open !== OPEN || meta.orgs !== ORGS) {
      log(`  --reuse: ${DB} was generated with tickets=${meta.tickets} open=${meta.open} orgs=${meta.orgs}; generating again`);
      return false;
    }
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// 2. open tickets with live timers

/** Deletes the open copies and every ticket the API made in earlier runs, with all that hangs on them. */
async function clearRunData(c: pg.Client): Promise<void> {
  await c.query(`create temp table gone as select id from tickets where number >= ${OPEN_BASE}`);
  await c.query('create index on gone (id)');
  await c.query('analyze gone');
  await c.query('delete from notification_deliveries where outbox_id in (select o.id from outbox o join gone g on g.id = o.ticket_id)');
  for (const t of ['outbox', 'timers', 'events', 'comments', 'ticket_facts', 'ticket_stints', 'ticket_ccs', 'attachments', 'csat_responses', 'inbound_messages', 'ticket_reviews']) {
    await c.query(`delete from ${t} where ticket_id in (select id from gone)`);
  }
  await c.query('delete from tickets where id in (select id from gone)');
  await c.query('delete from timers');
  await c.query('drop table gone');
  await c.query('delete from api_tokens');
}

async function makeOpen(people: People, asOf: number): Promise<{ seconds: number; timers: number; templates: Templates }> {
  const started = performance.now();
  await withClient(DB_URL, clearRunData);
  const store: Store = openStore(DB_URL, { poolSize: 2 });
  const base = Date.now();
  // Templates: the reference policy, one enterprise organization and four tickets through the live engine.
  const templates = await makeTemplates(store, base, OPEN_SPAN_MS + 2 * DURATION_MS + 3_600_000);
  await store.close();
  let timers = 0;
  const PRIOS: Priority[] = ['urgent', 'high', 'normal', 'low'];
  await withClient(DB_URL, async (c) => {
    await c.query('set synchronous_commit = off');
    const types = await columnTypes(c, ['tickets', 'timers']);
    const sample = templates.byPriority.get('urgent')?.row ?? {};
    const cols = Object.keys(sample);
    for (let from = 0; from < OPEN; from += BATCH) {
      const tickets: unknown[][] = [];
      const rows: unknown[][] = [];
      for (let i = from; i < Math.min(OPEN, from + BATCH); i++) {
        const priority = PRIOS[i % 4] as Priority;
        const tpl = templates.byPriority.get(priority);
        if (!tpl) throw new Error(`no template for ${priority}`);
        // Opened over the span before `asOf`, evenly, newest first.
        const createdAt = Math.round(asOf - ((i + 0.5) / OPEN) * OPEN_SPAN_MS);
        const d = createdAt - base;
        const age = asOf - createdAt;
        let stage = tpl.stages[0];
        for (const s of tpl.stages) if (s.age < age) stage = s;
        if (!stage) throw new Error('template without stages');
        const number = OPEN_BASE + i;
        const key = `ESC-${number}`;
        const id = newId(createdAt);
        const o = i % people.orgs.length;
        const org = people.orgs[o] as string;
        const shifted = shiftState(stage.state, d, key);
        const state: TicketState = { ...shifted, organization: { ...shifted.organization, id: org } };
        const row: Record<string, unknown> = {
          ...tpl.row,
          id,
          key,
          number,
          organization_id: org,
          requester_id: (people.customers[o] as string[])[i % 10],
          created_at: createdAt,
          updated_at: createdAt,
          status: state.status,
          level: state.level,
          team: state.team,
          engine_state: JSON.stringify(state),
          next_sla_at: null,
          escalations: state.escalations,
          ack_pending: state.pendingAck ? 1 : 0,
          version: 1,
        };
        tickets.push(cols.map((k) => row[k]));
        for (const tm of templates.engine.timers(state)) rows.push([newId(createdAt), id, tm.key, tm.due, '{}', createdAt]);
      }
      await c.query('begin');
      await bulkInsert(c, types, 'tickets', cols, tickets);
      await bulkInsert(c, types, 'timers', ['id', 'ticket_id', 'kind', 'due_at', 'payload', 'created_at'], rows);
      await c.query('commit');
      timers += rows.length;
      process.stderr.write(`\r  open: ${Math.min(OPEN, from + BATCH)}/${OPEN} tickets, ${timers} timers`);
    }
    process.stderr.write('\n');
    // The previous run's rows were just deleted: vacuum now, so that autovacuum does not do it during the phases.
    await c.query('vacuum (analyze) tickets, timers, outbox, events, comments, ticket_facts, ticket_stints, notification_deliveries');
  });
  return { seconds: (performance.now() - started) / 1000, timers, templates };
}

// ---------------------------------------------------------------------------------------------
// 3. nodes, streams, CPU

interface Node {
  index: number;
  port: number;
  child: ChildProcess;
}

function startNode(index: number): Node {
  const port = PORT + 1 + index;
  const services = SPLIT === 'all' ? 'api,scheduler,notifier' : 'api,scheduler';
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'escalon.js'), 'serve', '--services', services], {
    cwd: ROOT,
    env: {
      ...process.env,
      ESCALON_DATABASE_URL: DB_URL,
      PORT: String(port),
      HOST: '127.0.0.1',
      ESCALON_ACCESS_LOG: 'off',
      ESCALON_LOG_LEVEL: 'warn',
      ESCALON_ATTACHMENTS_DIR: `/tmp/escalon-scale-attachments-${port}`,
      ESCALON_PUBLIC_URL: `http://127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', () => undefined);
  child.stderr?.on('data', (b: Buffer) => {
    const s = b.toString().trim();
    if (s) log(`  node ${index + 1}: ${s.slice(0, 300)}`);
  });
  return { index, port, child };
}

async function waitReady(n: Node): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (n.child.exitCode !== null) throw new Error(`node ${n.index + 1} exited with ${n.child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${n.port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`node ${n.index + 1} not ready after 150 s`);
}

/** CPU seconds (utime + stime) of a process, or null when it is gone. */
function cpuOf(pid: number): number | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // fields 14, 15 of proc(5); CLK_TCK 100
  } catch {
    return null;
  }
}

/** Samples the CPU of the backends connected to the bench database (and of the nodes) every 250 ms. */
class CpuSampler {
  private last = new Map<number, number>();
  private first = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private client: pg.Client | null = null;
  private busy = false;
  constructor(private readonly nodes: () => number[]) {}
  async start(): Promise<void> {
    this.client = new pg.Client({ connectionString: ADMIN_URL });
    await this.client.connect();
    await this.sample(true);
    this.timer = setInterval(() => void this.sample(false), 250);
  }
  private async sample(initial: boolean): Promise<void> {
    if (this.busy || !this.client) return;
    this.busy = true;
    try {
      const r = await this.client.query<{ pid: number; backend_type: string }>('select pid, backend_type from pg_stat_activity where datname = $1', [DB]);
      for (const { pid, backend_type } of r.rows) this.touch(backend_type === 'client backend' ? 'db' : 'bg', pid, initial);
      for (const pid of this.nodes()) this.touch('node', pid, initial);
    } finally {
      this.busy = false;
    }
  }
  private readonly background = new Set<number>();
  private touch(kind: 'db' | 'bg' | 'node', pid: number, initial: boolean): void {
    const k = kind === 'node' ? -pid : pid;
    if (kind === 'bg') this.background.add(pid);
    const v = cpuOf(pid);
    if (v === null) return;
    // A backend first seen after the start began within the window: all its CPU counts.
    if (!this.first.has(k)) this.first.set(k, initial ? v : 0);
    this.last.set(k, v);
  }
  /** CPU seconds used since the last mark: client backends, background workers of the database (autovacuum), nodes. */
  async mark(): Promise<{ db: number; background: number; nodes: number }> {
    while (this.busy) await sleep(5);
    await this.sample(false);
    let db = 0;
    let background = 0;
    let nodes = 0;
    for (const [k, v] of this.last) {
      const d = v - (this.first.get(k) ?? 0);
      if (k < 0) nodes += d;
      else if (this.background.has(k)) background += d;
      else db += d;
    }
    this.first = new Map(this.last);
    return { db, background, nodes };
  }
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client?.end();
  }
}

interface Arrival {
  stream: number;
  at: number;
}

function openStream(n: Node, token: string, arrivals: Map<string, Arrival[]>): http.ClientRequest {
  const req = http.get({ host: '127.0.0.1', port: n.port, path: '/api/v1/stream', headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const at = performance.now();
      buf += chunk;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const msg = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (!msg.includes('event: tickets')) continue;
        const data = /^data: (.*)$/m.exec(msg)?.[1];
        if (!data) continue;
        for (const key of (JSON.parse(data) as { keys: string[] }).keys) {
          const list = arrivals.get(key) ?? [];
          list.push({ stream: n.index, at });
          arrivals.set(key, list);
        }
      }
    });
  });
  req.on('error', () => undefined);
  return req;
}

// ---------------------------------------------------------------------------------------------
// 4. load

type Kind = 'create' | 'comment' | 'read';
interface Done {
  kind: Kind;
  node: number;
  sent: number;
  done: number;
  status: number;
  key: string | null;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(port: number, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(Buffer.concat(parts).toString());
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', () => resolve({ status: 0, json: null }));
    req.setTimeout(30_000, () => req.destroy());
    if (data) req.write(data);
    req.end();
  });
}

async function runLoad(nodes: Node[], token: string, people: People, openKeys: string[], ms: number, seed: number): Promise<Done[]> {
  const results: Done[] = [];
  const pending: Promise<void>[] = [];
  const created: Array<{ key: string; node: number }> = [];
  const rand = rng(seed);
  const t0 = performance.now();
  const total = Math.round((RATE * ms) / 1000);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    let n = nodes[i % nodes.length] as Node;
    const x = rand();
    const kind: Kind = x < 0.2 || created.length === 0 ? 'create' : x < 0.5 ? 'comment' : 'read';
    const sent = performance.now();
    let p: Promise<{ status: number; json: unknown }>;
    let key: string | null = null;
    if (kind === 'create') {
      const o = Math.floor(rand() * people.orgs.length);
      p = request(n.port, 'POST', '/api/v1/tickets', token, {
        subject: text(rand, 6),
        body: text(rand, 60),
        priority: (['urgent', 'high', 'normal', 'low'] as const)[i % 4],
        channel: 'api',
        requester_id: (people.customers[o] as string[])[i % 10],
      });
    } else if (kind === 'comment') {
      // A comment goes to the node that created the ticket: any other node hearing of the ticket
      // can only have heard it from that node (cross-node fan-out), never from a write of its own.
      const c = created[Math.floor(rand() * created.length)] as { key: string; node: number };
      key = c.key;
      n = nodes[c.node] as Node;
      p = request(n.port, 'POST', `/api/v1/tickets/${key}/comments`, token, { body: text(rand, 30), public: rand() < 0.5 });
    } else {
      key = openKeys[Math.floor(rand() * openKeys.length)] as string;
      p = request(n.port, 'GET', `/api/v1/tickets/${key}`, token);
    }
    pending.push(
      p.then(({ status, json }) => {
        const k = kind === 'create' ? ((json as { key?: string } | null)?.key ?? null) : key;
        if (kind === 'create' && k) created.push({ key: k, node: n.index });
        results.push({ kind, node: n.index, sent, done: performance.now(), status, key: k });
      }),
    );
  }
  await Promise.all(pending);
  return results;
}

// ---------------------------------------------------------------------------------------------
// 5. measurements after the run

async function metricsLag(nodes: Node[]): Promise<Record<string, number>> {
  const buckets = new Map<string, number>();
  for (const n of nodes) {
    const text = await fetch(`http://127.0.0.1:${n.port}/metrics`).then((r) => r.text(), () => '');
    for (const m of text.matchAll(/^escalon_timer_firing_lag_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/gm)) {
      buckets.set(m[1] as string, (buckets.get(m[1] as string) ?? 0) + Number(m[2]));
    }
  }
  return Object.fromEntries(buckets);
}

async function sizes(c: pg.Client): Promise<Array<{ table: string; rows: number; totalBytes: number; tableBytes: number; indexBytes: number }>> {
  const r = await c.query<{ table: string; rows: string; total: string; heap: string; idx: string }>(`
    select c.relname as table, c.reltuples::bigint as rows, pg_total_relation_size(c.oid) as total,
           pg_table_size(c.oid) as heap, pg_indexes_size(c.oid) as idx
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'r' and c.relname not like 'bench_%'
     order by pg_total_relation_size(c.oid) desc`);
  return r.rows.map((x) => ({ table: x.table, rows: Number(x.rows), totalBytes: Number(x.total), tableBytes: Number(x.heap), indexBytes: Number(x.idx) }));
}

type TupleStats = Record<string, { ins: number; upd: number; del: number }>;

/** Rows inserted, updated and deleted per table of the bench database so far (pg_stat_user_tables: this database only). */
async function tupleStats(): Promise<TupleStats> {
  return withClient(DB_URL, async (c) => {
    await c.query('select pg_stat_clear_snapshot()');
    const r = await c.query<{ t: string; i: string; u: string; d: string }>(`select relname as t, n_tup_ins as i, n_tup_upd as u, n_tup_del as d from pg_stat_user_tables where relname not like 'bench_%'`);
    return Object.fromEntries(r.rows.map((x) => [x.t, { ins: Number(x.i), upd: Number(x.u), del: Number(x.d) }]));
  });
}

function tupleDelta(a: TupleStats, b: TupleStats) {
  const tables: Record<string, { ins: number; upd: number; del: number }> = {};
  const total = { ins: 0, upd: 0, del: 0 };
  for (const [t, v] of Object.entries(b)) {
    const d = { ins: v.ins - (a[t]?.ins ?? 0), upd: v.upd - (a[t]?.upd ?? 0), del: v.del - (a[t]?.del ?? 0) };
    if (d.ins + d.upd + d.del === 0) continue;
    tables[t] = d;
    total.ins += d.ins;
    total.upd += d.upd;
    total.del += d.del;
  }
  return { total, events: tables.events?.ins ?? 0, tables };
}

function latencyTable(results: Done[], seconds: number) {
  const out: Record<string, { count: number; ok: number; perSecond: number; p50: number; p99: number; max: number }> = {};
  for (const kind of ['create', 'comment', 'read', 'all'] as const) {
    const xs = results.filter((r) => kind === 'all' || r.kind === kind);
    const ok = xs.filter((r) => r.status >= 200 && r.status < 300);
    const lat = ok.map((r) => r.done - r.sent);
    out[kind] = { count: xs.length, ok: ok.length, perSecond: r1(ok.length / seconds), p50: r1(pct(lat, 0.5)), p99: r1(pct(lat, 0.99)), max: r1(Math.max(0, ...lat)) };
  }
  return out;
}

/** For each write and each stream: the first arrival of its key at or after the request was sent. */
function fanOut(results: Done[], arrivals: Map<string, Arrival[]>, streams: number) {
  const same: number[] = [];
  const cross: number[] = [];
  const sameSent: number[] = [];
  const crossSent: number[] = [];
  let sameExpected = 0;
  let crossExpected = 0;
  for (const w of results) {
    if (w.kind === 'read' || !w.key || w.status < 200 || w.status >= 300) continue;
    const list = arrivals.get(w.key) ?? [];
    for (let s = 0; s < streams; s++) {
      const first = list.find((a) => a.stream === s && a.at >= w.sent);
      if (s === w.node) sameExpected++;
      else crossExpected++;
      if (!first) continue;
      (s === w.node ? same : cross).push(first.at - w.done);
      (s === w.node ? sameSent : crossSent).push(first.at - w.sent);
    }
  }
  const sum = (xs: number[], fromSent: number[], expected: number) => ({
    expected,
    arrived: xs.length,
    p50: r1(pct(xs, 0.5)),
    p99: r1(pct(xs, 0.99)),
    max: r1(xs.length ? Math.max(...xs) : NaN),
    fromSentP50: r1(pct(fromSent, 0.5)),
    fromSentP99: r1(pct(fromSent, 0.99)),
  });
  return { sameNode: sum(same, sameSent, sameExpected), otherNodes: sum(cross, crossSent, crossExpected), note: 'ms from the write\'s HTTP answer (negative: the stream was faster than the answer); fromSent: from sending the request' };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  const autovacuum = await withClient(ADMIN_URL, async (c) => String((await c.query('show autovacuum')).rows[0]?.autovacuum));
  if (autovacuum !== 'on') log('  note: autovacuum is off on this server: dead rows of earlier runs stay until the bench vacuums them (it does, after re-making the open tickets)');
  log(`scale bench: ${TICKETS} tickets (${OPEN} open), ${ORGS} organizations, database ${DB}; load average ${loadBefore}`);
  let generation: Awaited<ReturnType<typeof generateBase>> | null = null;
  if (!(REUSE && (await baseExists()))) generation = await generateBase();
  else log('  --reuse: base data kept');
  const people = await withClient(DB_URL, async (c) => JSON.parse(String((await c.query('select v from bench_people')).rows[0]?.v)) as People);

  // Timers are taken as of `asOf`: the phases start there (the moments before it are spent in the state).
  const prepareMs = PREPARE_MS ?? Math.max(60_000, (OPEN / 100_000) * 240_000);
  const asOf = Date.now() + prepareMs;
  const open = await makeOpen(people, asOf);
  log(`  open tickets made in ${open.seconds.toFixed(0)} s; ${open.timers} timer rows`);
  if (GENERATE_ONLY) return;

  // An agent's API token (staff: may open tickets for any customer and read every ticket).
  const token = newTokenSecret();
  const openKeys: string[] = [];
  await withClient(DB_URL, async (c) => {
    const agentId = people.agents[0] as string;
    await c.query('insert into api_tokens (id, user_id, name, digest, created_at) values ($1, $2, $3, $4, $5)', [newId(), agentId, 'scale bench', digest(token), Date.now()]);
    const r = await c.query<{ key: string }>(`select key from tickets where number >= ${OPEN_BASE} and number < ${SEQ_START} and status not in ('solved', 'closed')`);
    for (const x of r.rows) openKeys.push(x.key);
  });

  const nodes = Array.from({ length: NODES }, (_, i) => startNode(i));
  const stopAll = () => {
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGTERM');
  };
  process.once('SIGINT', () => {
    stopAll();
    process.exit(130);
  });
  try {
    await Promise.all(nodes.map(waitReady));
    log(`  ${NODES} nodes ready (ports ${PORT + 1}–${PORT + NODES}, services ${SPLIT})`);
    const arrivals = new Map<string, Arrival[]>();
    const streams = nodes.map((n) => openStream(n, token, arrivals));
    const cpu = new CpuSampler(() => nodes.map((n) => n.child.pid ?? 0).filter((p) => p > 0));
    await cpu.start();
    // Warm-up (not measured): the nodes' code paths compiled before the phases.
    log(`  warm-up: 10 s at ${RATE} requests/s`);
    await runLoad(nodes, token, people, openKeys, 10_000, 7);
    arrivals.clear();
    const waitFor = asOf - Date.now();
    if (waitFor > 0) {
      log(`  waiting ${(waitFor / 1000).toFixed(0)} s for the first timers to come due`);
      await sleep(waitFor);
    }
    // The phases' timers, as the database holds them before they fire.
    const w0 = Date.now();
    const wEnd = w0 + FIRE_ONLY_MS + DURATION_MS;
    const snap = await withClient(DB_URL, async (c) => {
      await c.query('drop table if exists bench_due');
      const r = await c.query(`create table bench_due as select ticket_id, kind, due_at from timers where due_at >= $1 and due_at <= $2`, [w0, wEnd]);
      return r.rowCount ?? 0;
    });
    log(`  ${snap} timers due in the ${((wEnd - w0) / 1000).toFixed(0)} s of the two phases`);
    const wal = async () => withClient(ADMIN_URL, async (c) => String((await c.query('select pg_current_wal_lsn() as l')).rows[0]?.l));
    const walDiff = async (a: string, b: string) => withClient(ADMIN_URL, async (c) => Number((await c.query('select pg_wal_lsn_diff($1, $2) as d', [b, a])).rows[0]?.d));
    const firedBetween = async (from: number, to: number) =>
      withClient(DB_URL, async (c) => Number((await c.query(`select count(distinct (e.ticket_id, e.at)) as n from events e join bench_due d on d.ticket_id = e.ticket_id and d.due_at = e.at where e.actor = 'system' and e.recorded_at >= $1 and e.recorded_at < $2`, [from, to])).rows[0]?.n));

    // Phase 1: timers only.
    await cpu.mark();
    const wal0 = await wal();
    const tup0 = await tupleStats();
    const p1from = Date.now();
    log(`  phase fire-only: ${FIRE_ONLY_MS / 1000} s`);
    await sleep(FIRE_ONLY_MS);
    const p1to = Date.now();
    const cpu1 = await cpu.mark();
    const wal1 = await wal();
    const tup1 = await tupleStats();
    // Phase 2: API load with timers.
    log(`  phase load: ${DURATION_MS / 1000} s at ${RATE} requests/s over ${NODES} nodes`);
    const p2from = Date.now();
    const t2 = performance.now();
    const results = await runLoad(nodes, token, people, openKeys, DURATION_MS, 42);
    const p2seconds = (performance.now() - t2) / 1000;
    const p2to = Date.now();
    const cpu2 = await cpu.mark();
    const wal2 = await wal();
    const loadAfter = readFileSync('/proc/loadavg', 'utf8').trim();
    await sleep(2_000); // late stream messages and the last firings; the backends' statistics flushed
    const tup2 = await tupleStats();
    for (const s of streams) s.destroy();

    // Wait (≤ 60 s) for every timer of the phases to have fired.
    for (let i = 0; i < 60; i++) {
      const left = await withClient(DB_URL, async (c) => Number((await c.query('select count(*) as n from timers t join bench_due d on d.ticket_id = t.ticket_id and d.kind = t.kind and d.due_at = t.due_at').then((r) => r.rows[0]?.n)) ?? 0));
      if (left === 0) break;
      await sleep(1000);
    }
    // Every firing of the phases (also timers that were overdue when they began), for the costs;
    // the lag figures below are those of the snapshot's timers only.
    // (the events of a firing carry actor `system` and `at` = the due moment; nothing else writes as `system` here:
    // no risk model is in force, no policy is applied during the phases)
    const firedAll = async (from: number, to: number) =>
      withClient(DB_URL, async (c) => Number((await c.query(`select count(distinct (ticket_id, at)) as n from events where actor = 'system' and recorded_at >= $1 and recorded_at < $2`, [from, to])).rows[0]?.n));
    const fired1 = await firedAll(p1from, p1to);
    const fired2 = await firedAll(p2from, p2to);
    const fired1Due = await firedBetween(p1from, p1to);
    const fired2Due = await firedBetween(p2from, p2to);
    const firing = await withClient(DB_URL, async (c) => {
      const r = await c.query<{ lag: string }>(`
        select min(e.recorded_at) - d.due_at as lag from bench_due d
          join events e on e.ticket_id = d.ticket_id and e.at = d.due_at and e.actor = 'system'
         group by d.ticket_id, d.kind, d.due_at`);
      return r.rows.map((x) => Number(x.lag));
    });
    const histogram = await metricsLag(nodes);
    const size = await withClient(DB_URL, sizes);
    const perTicket = await withClient(DB_URL, async (c) => {
      const r = await c.query(`select avg(pg_column_size(engine_state)) as engine, avg(pg_column_size(t.*)) as row from tickets t where number >= ${OPEN_BASE} and number < ${SEQ_START}`);
      const s = await c.query(`select avg(pg_column_size(t.*)) as row from tickets t where number < ${OPEN_BASE}`);
      const e = await c.query(`select avg(pg_column_size(e.*)) as row, avg(length(payload)) as payload from (select * from events tablesample system (1)) e`);
      return { openRowBytes: r1(Number(r.rows[0]?.row)), openEngineStateBytes: r1(Number(r.rows[0]?.engine)), solvedRowBytes: r1(Number(s.rows[0]?.row)), eventRowBytes: r1(Number(e.rows[0]?.row)), eventPayloadChars: r1(Number(e.rows[0]?.payload)) };
    });
    await cpu.stop();

    const api = latencyTable(results, p2seconds);
    const fan = fanOut(results, arrivals, NODES);
    const requests = results.filter((r) => r.status >= 200 && r.status < 300).length;
    const dbCpu1 = cpu1.db;
    const perFiring = fired1 > 0 ? dbCpu1 / fired1 : NaN;
    const dbApi = cpu2.db - perFiring * fired2;
    const report = {
      at: new Date().toISOString(),
      command: `npx tsx bench/scale.bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { loadBefore, loadAfter, autovacuum, cores: (await import('node:os')).cpus().length, node: process.version },
      options: { tickets: TICKETS, open: OPEN, orgs: ORGS, rate: RATE, durationS: DURATION_MS / 1000, fireOnlyS: FIRE_ONLY_MS / 1000, openSpanH: OPEN_SPAN_MS / 3_600_000, nodes: NODES, split: SPLIT, db: DB },
      generation: generation ? { ...generation, seconds: r2(generation.seconds) } : 'reused',
      open: { seconds: r1(open.seconds), timers: open.timers },
      api,
      firing: {
        dueInPhases: snap,
        fired: firing.length,
        firedPhase1: fired1,
        firedPhase2: fired2,
        firedOfSnapshotPhase1: fired1Due,
        firedOfSnapshotPhase2: fired2Due,
        perSecondPhase1: r1(fired1 / ((p1to - p1from) / 1000)),
        perSecondPhase2: r1(fired2 / ((p2to - p2from) / 1000)),
        lagMs: { p50: pct(firing, 0.5), p99: pct(firing, 0.99), max: firing.length ? Math.max(...firing) : NaN },
        metricsHistogramSeconds: histogram,
      },
      sse: fan,
      cpu: {
        phase1: { dbSeconds: r2(cpu1.db), dbBackgroundSeconds: r2(cpu1.background), nodeSeconds: r2(cpu1.nodes), wallSeconds: r2((p1to - p1from) / 1000) },
        phase2: { dbSeconds: r2(cpu2.db), dbBackgroundSeconds: r2(cpu2.background), nodeSeconds: r2(cpu2.nodes), wallSeconds: r2(p2seconds) },
        dbSecondsPer1000Firings: r2(perFiring * 1000),
        dbSecondsPer1000Requests: r2((dbApi / requests) * 1000),
        nodeSecondsPer1000Firings: r2((cpu1.nodes / Math.max(1, fired1)) * 1000),
        nodeSecondsPer1000Requests: r2(((cpu2.nodes - (cpu1.nodes / Math.max(1, fired1)) * fired2) / requests) * 1000),
      },
      perEvent: (() => {
        const e1 = tupleDelta(tup0, tup1).events;
        const e2 = tupleDelta(tup1, tup2).events;
        return {
          eventsPerFiring: r2(e1 / Math.max(1, fired1)),
          eventsPerRequest: r2((e2 - (e1 / Math.max(1, fired1)) * fired2) / Math.max(1, requests)),
          dbSecondsPer1000EventsPhase1: r2((cpu1.db / Math.max(1, e1)) * 1000),
          dbSecondsPer1000EventsPhase2: r2((cpu2.db / Math.max(1, e2)) * 1000),
          eventsPerSecondPhase2: r1(e2 / p2seconds),
        };
      })(),
      rows: { phase1: tupleDelta(tup0, tup1), phase2: tupleDelta(tup1, tup2), note: 'pg_stat_user_tables of this database; phase 2 includes up to 2 s after it' },
      walBytes: { phase1: await walDiff(wal0, wal1), phase2: await walDiff(wal1, wal2), note: 'cluster-wide: includes other databases on a shared server (upper bound)' },
      sizes: size,
      rowBytes: perTicket,
    };
    mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
    const file = join(ROOT, 'bench', 'out', `scale-${report.at.replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

    const lines: string[] = [];
    lines.push(`\nScale bench — ${TICKETS.toLocaleString('en')} tickets (${OPEN.toLocaleString('en')} open), ${NODES} nodes (${SPLIT}), load average before ${loadBefore}, after ${loadAfter}`);
    lines.push(`\nAPI, open loop ${RATE}/s for ${r1(p2seconds)} s:`);
    lines.push('| kind | sent | 2xx | 2xx/s | p50 ms | p99 ms | max ms |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const [k, v] of Object.entries(api)) lines.push(`| ${k} | ${v.count} | ${v.ok} | ${v.perSecond} | ${v.p50} | ${v.p99} | ${v.max} |`);
    lines.push(`\nFiring: ${firing.length} of ${snap} due timers fired; ${report.firing.perSecondPhase1}/s alone, ${report.firing.perSecondPhase2}/s under load; lag p50 ${report.firing.lagMs.p50} ms, p99 ${report.firing.lagMs.p99} ms, max ${report.firing.lagMs.max} ms`);
    lines.push(`SSE fan-out, from the write's answer (from sending it): same node ${fan.sameNode.arrived}/${fan.sameNode.expected} p50 ${fan.sameNode.p50} (${fan.sameNode.fromSentP50}) ms, p99 ${fan.sameNode.p99} (${fan.sameNode.fromSentP99}) ms; other nodes ${fan.otherNodes.arrived}/${fan.otherNodes.expected} p50 ${fan.otherNodes.p50} (${fan.otherNodes.fromSentP50}) ms, p99 ${fan.otherNodes.p99} (${fan.otherNodes.fromSentP99}) ms`);
    lines.push(`DB CPU: fire-only ${report.cpu.phase1.dbSeconds} s in ${report.cpu.phase1.wallSeconds} s (${report.cpu.dbSecondsPer1000Firings} s per 1,000 firings); load ${report.cpu.phase2.dbSeconds} s in ${report.cpu.phase2.wallSeconds} s (${report.cpu.dbSecondsPer1000Requests} s per 1,000 requests, firings taken out)`);
    lines.push(`DB background workers of this database (autovacuum; not in the figures above): fire-only ${report.cpu.phase1.dbBackgroundSeconds} s, load ${report.cpu.phase2.dbBackgroundSeconds} s`);
    lines.push(`Node CPU (3 processes): ${report.cpu.nodeSecondsPer1000Firings} s per 1,000 firings, ${report.cpu.nodeSecondsPer1000Requests} s per 1,000 requests`);
    for (const [ph, d] of [['fire-only', report.rows.phase1], ['load', report.rows.phase2]] as const) {
      lines.push(`Rows written, ${ph}: ${d.events} events; ${d.total.ins} inserted, ${d.total.upd} updated, ${d.total.del} deleted (${d.events ? r1((d.total.ins + d.total.upd + d.total.del) / d.events) : '-'} per event) — ${Object.entries(d.tables).map(([t, v]) => `${t} +${v.ins}/~${v.upd}/-${v.del}`).join(', ')}`);
    }
    lines.push(`Per event: ${JSON.stringify(report.perEvent)}`);
    lines.push(`WAL (cluster-wide): fire-only ${(report.walBytes.phase1 / 1e6).toFixed(1)} MB, load ${(report.walBytes.phase2 / 1e6).toFixed(1)} MB`);
    lines.push('\n| table | rows | total MB | heap MB | index MB |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const s of size.slice(0, 12)) lines.push(`| ${s.table} | ${s.rows} | ${(s.totalBytes / 1e6).toFixed(1)} | ${(s.tableBytes / 1e6).toFixed(1)} | ${(s.indexBytes / 1e6).toFixed(1)} |`);
    lines.push(`\nrow bytes: ${JSON.stringify(perTicket)}`);
    lines.push(`JSON: ${file}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    stopAll();
    await Promise.all(nodes.map((n) => (n.child.exitCode === null ? new Promise((r) => n.child.once('exit', r)) : null)));
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`scale bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
