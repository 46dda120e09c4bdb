/**
 * Crash and fault campaigns against the REAL server (issue 16, item 2 and the tested part of
 * item 6): `node bin/escalon.js serve` processes (the compiled bundle, src/cli/serve.ts) on one
 * database, driven over HTTP, killed (SIGKILL) or stopped (SIGTERM) while tickets are created,
 * timers fire and the outbox is delivered to a real SMTP server in this process.
 *
 * The policy (CRASH_POLICY) runs on a 24x7 calendar with SLA targets of seconds, so every
 * ticket's warnings, breaches and escalation come due while the campaign runs, in real time.
 * Each ticket also queues three mails (on creation, at the first-response breach, at the
 * resolution breach), each to its own address (no two rows of one cascade to one recipient).
 *
 * What is checked at the end (`verify`), from the database and the SMTP sink:
 *   - acknowledged (201) tickets lost: every acknowledged ticket is in the database (must be 0);
 *   - timer events lost / doubled: every ticket in the database — acknowledged or not, a node
 *     may die between its commit and its answer — has exactly the SLA, escalation and
 *     notification-queued events that `Simulation` (the engine of `escalon simulate`) gives for
 *     it from its creation instant, at the same instants: each warning, breach and escalation
 *     exactly once per ticket and clock;
 *   - mails: every outbox row reached `sent` (or `merged` into a sent row), and the sink
 *     received its Message-ID; a Message-ID received twice is a resend (at-least-once after a
 *     kill mid-send) — counted, and told apart from a firing doubled (which would carry
 *     another outbox id);
 *   - firing lateness: recorded_at − at of each timer-caused event (the latest is "the latest
 *     firing after a restart").
 *
 * Used by test/crash/*.test.ts (small campaigns) and bench/crash-campaign.bench.ts (big ones).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createToken } from '../../src/app/create-token.ts';
import { Engine } from '../../src/domain/engine/engine.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { Simulation, toOutputLine } from '../../src/domain/simulation.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { startSmtpSink, type SmtpSink } from '../notify/support/smtp-sink.ts';
import { depsFor, makeCast } from '../helpers/fixtures.ts';
import { comparableLine } from '../helpers/timer-workload.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'escalon.js');

/** SLA targets in seconds: a ticket's timers come due 1.5–11 s after its creation. */
export const CRASH_POLICY = `version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels:
  - { id: L1, name: Frontline }
  - { id: L2, name: Specialists }
  - { id: L3, name: Engineering }
teams:
  frontline: { level: L1, calendar: always, members: [ana@example.com], lead: lina@example.com }
  specialists: { level: L2, calendar: always, members: [sam@example.com], lead: lina@example.com }
  engineering: { level: L3, calendar: always, members: [eli@example.com], lead: erin@example.com }
sla:
  - id: crash
    calendar: always
    warn_at: ["50%"]
    targets:
      urgent: { first_response: 3s, resolution: 7s }
      high: { first_response: 4s, resolution: 9s }
      normal: { first_response: 5s, resolution: 11s }
rules:
  - id: created-notice
    on: ticket.created
    do:
      - notify: { to: [desk@example.com], template: sla-warning-internal }
  - id: first-response-breach
    on: sla.breached
    if: { sla.metric: first_response }
    do:
      - notify: { to: [duty@example.com], template: sla-breach-internal }
  - id: breach-goes-up
    on: sla.breached
    if: { sla.metric: resolution }
    do:
      - escalate: { to: next_level, reason: sla_risk }
      - notify: { to: [escalations@example.com], template: sla-breach-internal }
`;
/** The longest a ticket's timers run after its creation (the slowest resolution target). */
export const HORIZON_MS = 11_000;
const PRIORITIES = ['urgent', 'high', 'normal'] as const;
const SUBJECT = 'Checkout down';
const BODY = 'All payments fail.';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Builds dist/server when stale (as bin/escalon.js would, once, before any node starts). */
export async function ensureBuilt(): Promise<void> {
  const build = (await import(pathToFileURL(join(ROOT, 'scripts', 'build-server.mjs')).href)) as { ensureServerBuilt(o: { quiet: boolean }): Promise<string> };
  await build.ensureServerBuilt({ quiet: true });
}

export interface Prepared {
  url: string;
  token: string;
  requesterId: string;
  organization: { id: string; tier: string; contractValue: number };
  requesterEmail: string;
}

/** The campaign's cast, policy and API token (an agent's), written with the library before any node runs. */
export async function prepareDatabase(url: string): Promise<Prepared> {
  const store = openStore(url, { poolSize: 2 });
  try {
    if (store.dialect === 'sqlite') await migrateToLatest(store);
    const deps = depsFor(store);
    deps.clock.set(Date.now());
    const cast = await makeCast(deps);
    await applyPolicy(deps, cast.actors.admin, CRASH_POLICY, 'yaml');
    const { secret } = await createToken(deps, { user: { id: cast.actors.agent.userId }, name: 'crash campaign' });
    return {
      url,
      token: secret,
      requesterId: cast.actors.customerA.userId,
      organization: { id: cast.orgA, tier: 'enterprise', contractValue: 250000 },
      requesterEmail: cast.actors.customerA.email,
    };
  } finally {
    await store.close();
  }
}

/** One `escalon serve` process (api, scheduler, notifier). */
export class ServeNode {
  child: ChildProcess | null = null;
  output = '';
  alive = false;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });
  starts = 0;
  readonly files: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly databaseUrl: string,
    private readonly smtpPort: number,
    private readonly extraEnv: Record<string, string> = {},
  ) {
    this.files = mkdtempSync(join(tmpdir(), `escalon-crash-${name}-`));
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get owner(): string {
    return `${hostname()}:${this.child?.pid ?? 0}`;
  }

  /** Spawns the process; resolves when its three services run. */
  async start(databaseUrl = this.databaseUrl): Promise<void> {
    const env: Record<string, string | undefined> = {
      ...process.env,
      ESCALON_DATABASE_URL: databaseUrl,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      ESCALON_SMTP_HOST: '127.0.0.1',
      ESCALON_SMTP_PORT: String(this.smtpPort),
      ESCALON_MERGE_WINDOW_MS: '0',
      ESCALON_ACCESS_LOG: 'off',
      ESCALON_LOG_LEVEL: 'warn',
      ESCALON_ATTACHMENTS_DIR: this.files,
      ...this.extraEnv,
    };
    delete env.ESCALON_SECRET;
    delete env.ESCALON_CONFIG_FILE;
    delete env.npm_command;
    this.output = '';
    const child = spawn(process.execPath, [BIN, 'serve', '--services', 'api,scheduler,notifier'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts++;
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.alive = false;
      resolve({ code, signal });
    }));
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`${this.name} did not start within 60 s:\n${this.output}`)), 60_000);
      const check = () => {
        if (/Escalon notifier running/.test(this.output)) {
          clearTimeout(guard);
          child.stdout?.off('data', check);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(guard);
        reject(new Error(`${this.name} exited (${code ?? signal}) before running:\n${this.output}`));
      });
    });
    this.alive = true;
  }

  /** SIGKILL: no goodbye, leases and claims left as they are. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.alive = false;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the graceful stop; resolves with the exit code. */
  async terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.alive = false;
    this.child.kill('SIGTERM');
    return this.exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.files, { recursive: true, force: true });
  }
}

/** What the load generator saw. */
export interface LoadResult {
  /** Ticket ids answered 201. */
  acked: string[];
  sent: number;
  /** Answers other than 201, by status; transport failures by error code. */
  refused: Record<string, number>;
}

/**
 * Creates `count` tickets at about `perSecond`, each POST to the next live node (round robin),
 * `concurrency` at a time. A request to a node that dies is not retried (its outcome is unknown:
 * not acknowledged); the next one goes elsewhere.
 */
export async function createTickets(nodes: () => ServeNode[], token: string, requesterId: string, count: number, perSecond: number, concurrency = 4): Promise<LoadResult> {
  const result: LoadResult = { acked: [], sent: 0, refused: {} };
  const note = (k: string) => (result.refused[k] = (result.refused[k] ?? 0) + 1);
  let next = 0;
  let turn = 0;
  const start = performance.now();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const wait = start + (i * 1000) / perSecond - performance.now();
      if (wait > 0) await sleep(wait);
      let live = nodes().filter((n) => n.alive);
      // Every node down (one SQLite node between a kill and its restart): the client waits.
      while (live.length === 0) {
        await sleep(50);
        live = nodes().filter((n) => n.alive);
      }
      const node = live[turn++ % live.length] as ServeNode;
      result.sent++;
      try {
        const r = await fetch(`${node.base}/api/v1/tickets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subject: SUBJECT, body: BODY, priority: PRIORITIES[i % PRIORITIES.length], channel: 'web', requester_id: requesterId }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await r.json().catch(() => null)) as { id?: string } | null;
        if (r.status === 201 && body?.id) result.acked.push(body.id);
        else note(String(r.status));
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        note(cause?.code ?? (err as Error).name);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

export interface Figures {
  acked: number;
  ticketsInDb: number;
  /** Acknowledged tickets missing from the database. */
  lostAcked: number;
  timerEventsExpected: number;
  /** Expected SLA / escalation / notification-queued events missing. */
  timerEventsLost: number;
  /** Such events present more often than the engine implies (a firing doubled). */
  timerEventsDoubled: number;
  /** Tickets whose events differ, with a sample of the difference. */
  differing: string[];
  outboxRows: number;
  /** Outbox rows not sent (or merged into a sent row) by the end. */
  mailsUndelivered: number;
  /** Sent rows whose Message-ID never reached the sink. */
  mailsMissing: number;
  /** Message-IDs received more than once (at-least-once resends), and the extra copies. */
  mailsResentIds: number;
  mailsResentCopies: number;
  /** Mails the sink received that match no outbox row. */
  mailsUnknown: number;
  /** The latest firing: max(recorded_at − at) over timer-caused events, and the median. */
  latestFiringMs: number;
  medianFiringMs: number;
  timersLeft: number;
}

/** The engine's own account of these tickets up to `until`: comparable lines per ticket id. */
function expectedEvents(tickets: Array<{ id: string; key: string; at: number; priority: string }>, p: Prepared, until: number): Map<string, string[]> {
  const parsed = parsePolicy(CRASH_POLICY);
  if (!parsed.ok) throw new Error('the crash policy was refused');
  const byKey = new Map(tickets.map((t) => [t.key, t.id]));
  const out = new Map<string, string[]>(tickets.map((t) => [t.id, []]));
  const sim = new Simulation(new Engine({ policy: parsed.policy }), (e) => {
    const c = comparableLine(e.at, e.type, toOutputLine(e) as Record<string, unknown>);
    const id = byKey.get(e.ticket);
    if (c && id) out.get(id)?.push(c);
  });
  [...tickets].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1)).forEach((t, i) => {
    sim.input({
      line: i + 1,
      at: t.at,
      ref: t.key,
      input: {
        type: 'ticket.created',
        ticket: {
          ref: t.key,
          priority: t.priority,
          organization: { id: p.organization.id, tier: p.organization.tier, contract_value: p.organization.contractValue },
          subject: SUBJECT,
          body: BODY,
          channel: 'web',
          tags: [],
          category: null,
          requester: p.requesterEmail,
        },
      },
    } as Parameters<Simulation['input']>[0]);
  });
  sim.finish(until);
  return out;
}

/** Waits until no timer due by `until` is left and every outbox row is final (or the guard runs out). */
export async function settle(store: Store, until: number, guardMs = 90_000): Promise<void> {
  const end = Date.now() + guardMs;
  while (Date.now() < end) {
    const timers = await store.db.selectFrom('timers').select((eb) => eb.fn.countAll().as('n')).where('due_at', '<=', until).executeTakeFirstOrThrow();
    const open = await store.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('status', 'not in', ['sent', 'merged', 'failed', 'cancelled']).executeTakeFirstOrThrow();
    if (Number(timers.n) === 0 && Number(open.n) === 0 && Date.now() > until) return;
    await sleep(250);
  }
}

/** The campaign's figures from the database and the sink (see the header). */
export async function verify(store: Store, p: Prepared, acked: readonly string[], sink: SmtpSink): Promise<Figures> {
  const tickets = (await store.db.selectFrom('tickets').select(['id', 'key', 'created_at', 'priority']).execute()).map((t) => ({ id: t.id, key: t.key, at: Number(t.created_at), priority: t.priority }));
  const inDb = new Set(tickets.map((t) => t.id));
  const lastCreated = tickets.reduce((m, t) => Math.max(m, t.at), 0);
  const until = lastCreated + HORIZON_MS;
  const timersLeft = Number((await store.db.selectFrom('timers').select((eb) => eb.fn.countAll().as('n')).where('due_at', '<=', until).executeTakeFirstOrThrow()).n);

  const expected = expectedEvents(tickets, p, until);
  const rows = await store.db.selectFrom('events').select(['ticket_id', 'at', 'recorded_at', 'type', 'payload']).orderBy('at').execute();
  const actual = new Map<string, string[]>();
  const lateness: number[] = [];
  for (const r of rows) {
    const c = comparableLine(Number(r.at), r.type, JSON.parse(r.payload) as Record<string, unknown>);
    if (!c) continue;
    actual.set(r.ticket_id, [...(actual.get(r.ticket_id) ?? []), c]);
    if (r.type.startsWith('sla.') || r.type === 'ticket.escalated') lateness.push(Number(r.recorded_at) - Number(r.at));
  }
  let expectedCount = 0;
  let lost = 0;
  let doubled = 0;
  const differing: string[] = [];
  for (const t of tickets) {
    const want = [...(expected.get(t.id) ?? [])].sort();
    const have = [...(actual.get(t.id) ?? [])].sort();
    expectedCount += want.length;
    const left = [...have];
    const missing: string[] = [];
    for (const w of want) {
      const i = left.indexOf(w);
      if (i < 0) missing.push(w);
      else left.splice(i, 1);
    }
    lost += missing.length;
    doubled += left.length;
    if ((missing.length || left.length) && differing.length < 5) differing.push(`${t.key}: missing [${missing.join('; ')}] extra [${left.join('; ')}]`);
  }

  const outbox = await store.db.selectFrom('outbox').select(['id', 'status', 'message_id', 'merged_into']).execute();
  const received = new Map<string, number>();
  for (const m of sink.received) {
    const id = (m.messageId ?? '').replace(/^<|>$/g, '').split('@')[0] ?? '';
    received.set(id, (received.get(id) ?? 0) + 1);
  }
  const known = new Set<string>();
  let undelivered = 0;
  let missingMail = 0;
  for (const o of outbox) {
    const mid = o.message_id ?? o.id;
    known.add(mid);
    if (o.status === 'sent') {
      if (!received.has(mid)) missingMail++;
    } else if (o.status !== 'merged') undelivered++;
  }
  let resentIds = 0;
  let resentCopies = 0;
  let unknown = 0;
  for (const [id, n] of received) {
    if (!known.has(id)) unknown += n;
    if (n > 1) {
      resentIds++;
      resentCopies += n - 1;
    }
  }
  lateness.sort((a, b) => a - b);
  return {
    acked: acked.length,
    ticketsInDb: tickets.length,
    lostAcked: acked.filter((id) => !inDb.has(id)).length,
    timerEventsExpected: expectedCount,
    timerEventsLost: lost,
    timerEventsDoubled: doubled,
    differing,
    outboxRows: outbox.length,
    mailsUndelivered: undelivered,
    mailsMissing: missingMail,
    mailsResentIds: resentIds,
    mailsResentCopies: resentCopies,
    mailsUnknown: unknown,
    latestFiringMs: lateness.at(-1) ?? 0,
    medianFiringMs: lateness[Math.floor(lateness.length / 2)] ?? 0,
    timersLeft,
  };
}

export { startSmtpSink, type SmtpSink };

// ---------------------------------------------------------------------------------------------
// A private PostgreSQL cluster (never the shared one): initdb + pg_ctl, as the postgres user
// when this process runs as root (initdb refuses root).

const PG_BIN = '/usr/lib/postgresql/15/bin';
export const privatePgAvailable = existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'));

export class PrivatePg {
  readonly dir: string;
  constructor(readonly port: number) {
    this.dir = join(tmpdir(), `crash-pg-${port}-${process.pid}`);
  }

  private run(bin: string, args: string[]): void {
    const asRoot = process.getuid?.() === 0;
    const cmd = asRoot ? 'runuser' : join(PG_BIN, bin);
    const full = asRoot ? ['-u', 'postgres', '--', join(PG_BIN, bin), ...args] : args;
    const r = spawnSync(cmd, full, { encoding: 'utf8', cwd: tmpdir() });
    if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  urlFor(db: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  init(): void {
    rmSync(this.dir, { recursive: true, force: true });
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      spawnSync('mkdir', ['-p', this.dir]);
      spawnSync('chown', ['postgres', this.dir]);
    }
    this.run('initdb', ['-D', this.dir, '-U', 'postgres', '--auth=trust', '--no-sync']);
    this.start();
  }

  start(): void {
    this.run('pg_ctl', ['-D', this.dir, '-l', join(this.dir, 'log'), '-w', '-o', `-p ${this.port} -k /tmp -h 127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  }

  /** `immediate`: as a crash (recovery at the next start); `fast`: a clean stop. */
  stop(mode: 'immediate' | 'fast' = 'fast'): void {
    this.run('pg_ctl', ['-D', this.dir, '-w', '-m', mode, 'stop']);
  }

  /** A fresh database migrated to the latest schema. */
  async createDatabase(name: string): Promise<string> {
    const admin = openStore(this.adminUrl, { poolSize: 1 });
    try {
      const { sql } = await import('kysely');
      await sql.raw(`create database ${name}`).execute(admin.db);
    } finally {
      await admin.close();
    }
    const url = this.urlFor(name);
    const store = openStore(url, { poolSize: 1 });
    try {
      await migrateToLatest(store);
    } finally {
      await store.close();
    }
    return url;
  }

  destroy(): void {
    try {
      this.stop('immediate');
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// A TCP proxy between nodes and PostgreSQL that the test can cut (every connection reset) and
// restore: a node's connection to the database lost, then back.

export class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  cuts = 0;

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', () => resolve()));
  }

  /** Resets every connection through the proxy and refuses new ones until restore(). */
  cut(): void {
    this.cuts++;
    this.refusing = true;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// The SIGKILL campaign: nodes killed one at a time at seeded random moments while tickets are
// created and for the while their timers and mails run, each restarted after `downMs`.

export interface KillCampaign {
  nodes: number;
  tickets: number;
  perSecond: number;
  kills: number;
  /** Pause between kills, drawn in [min, max] ms. */
  gapMs: [number, number];
  /** How long a killed node stays down before it is restarted. */
  downMs: number;
  seed: number;
  /** First port of the nodes (node i listens on basePort + i). */
  basePort: number;
  /** `term`: SIGTERM (the graceful stop, a rolling restart) instead of SIGKILL. */
  signal?: 'kill' | 'term';
  log?: (line: string) => void;
}

export interface KillOutcome {
  load: LoadResult;
  kills: number;
  /** Kills after which the database showed the victim holding timer leases / outbox claims (PostgreSQL). */
  killsHoldingTimers: number;
  killsHoldingMail: number;
  figures: Figures;
  wallMs: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Claims the database shows a (dead) node holding: timer leases and outbox rows in `sending`. */
export async function claimsOf(store: Store, node: ServeNode, pid: number): Promise<{ timers: number; mail: number }> {
  if (store.dialect !== 'postgres') return { timers: 0, mail: 0 };
  const owner = `${hostname()}:${pid}`;
  const t = await store.db.selectFrom('timers').select((eb) => eb.fn.countAll().as('n')).where('lease_owner', '=', owner).where('lease_until', '>=', Date.now()).executeTakeFirstOrThrow();
  const m = await store.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'sending').where('lease_owner', 'like', `${owner}:%`).executeTakeFirstOrThrow();
  void node;
  return { timers: Number(t.n), mail: Number(m.n) };
}

export async function runKillCampaign(p: Prepared, sink: SmtpSink, o: KillCampaign): Promise<KillOutcome> {
  const started = performance.now();
  const log = o.log ?? (() => undefined);
  const rnd = mulberry32(o.seed);
  const nodes = Array.from({ length: o.nodes }, (_, i) => new ServeNode(`n${i}`, o.basePort + i, p.url, sink.port));
  const store = openStore(p.url, { poolSize: 2 });
  let kills = 0;
  let killsHoldingTimers = 0;
  let killsHoldingMail = 0;
  try {
    await Promise.all(nodes.map((n) => n.start()));
    log(`${o.nodes} node(s) up`);
    const load = createTickets(() => nodes, p.token, p.requesterId, o.tickets, o.perSecond);
    for (let k = 0; k < o.kills; k++) {
      await sleep(o.gapMs[0] + rnd() * (o.gapMs[1] - o.gapMs[0]));
      const live = nodes.filter((n) => n.alive);
      const victim = live[Math.floor(rnd() * live.length)];
      if (!victim) continue;
      const pid = victim.child?.pid ?? 0;
      if (o.signal === 'term') {
        const { code } = await victim.terminate();
        if (code !== 0) throw new Error(`${victim.name} exited ${code} on SIGTERM:\n${victim.output}`);
      } else await victim.kill();
      kills++;
      const held = await claimsOf(store, victim, pid);
      if (held.timers > 0) killsHoldingTimers++;
      if (held.mail > 0) killsHoldingMail++;
      log(`kill ${kills}: ${victim.name} (pid ${pid}) holding ${held.timers} timer lease(s), ${held.mail} mail claim(s)`);
      await sleep(o.downMs);
      await victim.start();
    }
    const result = await load;
    log(`load done: ${result.acked.length}/${o.tickets} acknowledged, refused ${JSON.stringify(result.refused)}`);
    const last = await store.db.selectFrom('tickets').select((eb) => eb.fn.max('created_at').as('m')).executeTakeFirstOrThrow();
    await settle(store, Number(last.m ?? 0) + HORIZON_MS);
    // A resend lands after its lease; give the sink a moment for the last messages in flight.
    await sleep(500);
    const figures = await verify(store, p, result.acked, sink);
    return { load: result, kills, killsHoldingTimers, killsHoldingMail, figures, wallMs: performance.now() - started };
  } finally {
    await Promise.all(nodes.map((n) => n.dispose()));
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// A fault campaign: nodes (each with its own database URL, e.g. through a CuttableProxy) under
// the same load, while `fault` does something to the database or the network.

export interface FaultCampaign {
  /** One database URL per node. */
  urls: string[];
  tickets: number;
  perSecond: number;
  basePort: number;
  /** Runs while the load runs (started `faultAfterMs` after it). */
  fault: (nodes: ServeNode[]) => Promise<void>;
  faultAfterMs: number;
  log?: (line: string) => void;
}

export interface FaultOutcome {
  load: LoadResult;
  figures: Figures;
  /** Nodes that exited on their own during the campaign (a crash), with their output's tail. */
  died: string[];
  wallMs: number;
}

export async function runFaultCampaign(p: Prepared, sink: SmtpSink, o: FaultCampaign): Promise<FaultOutcome> {
  const started = performance.now();
  const nodes = o.urls.map((u, i) => new ServeNode(`n${i}`, o.basePort + i, u, sink.port));
  const store = openStore(p.url, { poolSize: 2 });
  const died: string[] = [];
  try {
    await Promise.all(nodes.map((n) => n.start()));
    for (const n of nodes) void n.exited.then(({ code, signal }) => {
      if (signal !== 'SIGKILL') died.push(`${n.name} exited (${code ?? signal}):\n${n.output.slice(-3000)}`);
    });
    const load = createTickets(() => nodes, p.token, p.requesterId, o.tickets, o.perSecond);
    await sleep(o.faultAfterMs);
    await o.fault(nodes);
    const result = await load;
    o.log?.(`load done: ${result.acked.length}/${o.tickets} acknowledged, refused ${JSON.stringify(result.refused)}`);
    const last = await store.db.selectFrom('tickets').select((eb) => eb.fn.max('created_at').as('m')).executeTakeFirstOrThrow();
    await settle(store, Number(last.m ?? 0) + HORIZON_MS);
    await sleep(500);
    const figures = await verify(store, p, result.acked, sink);
    return { load: result, figures, died, wallMs: performance.now() - started };
  } finally {
    await Promise.all(nodes.map((n) => n.dispose()));
    await store.close();
  }
}
