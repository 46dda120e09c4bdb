/**
 * Ticket creation through the HTTP API, engine on (the reference policy applied, the live
 * engine and risk memo as `escalon serve` runs them), against a bare Fastify route doing one
 * INSERT of the same fields — same database settings (SQLite: `tuneSqlite`, WAL +
 * synchronous=FULL; PostgreSQL: a pg Pool of the same size), on SQLite and on PostgreSQL.
 *
 * Both sides get the same number of rounds of the same duration, alternated (bare, ours,
 * bare, ours…) so machine noise falls on both; the table shows the median round of each side
 * and the ratio of medians, every round's figures below it. SQL statements per request are
 * counted on our side (Kysely queries; BEGIN/COMMIT not included). Then durable commits/s
 * with synchronous=FULL against the disk's raw fsync rate.
 *
 *   npx tsx bench/api-insert.bench.ts [seconds per round, default 5] [rounds, default 3]
 *   BENCH_DB=sqlite|postgres|both (default both)
 *   BENCH_DIR=/dev/shm  where the SQLite files go (default the temp dir): on tmpfs an fsync costs
 *                       nothing, which shows the CPU-bound ratio of a machine with a fast disk
 *
 * PostgreSQL: ESCALON_BENCH_PG_ADMIN (default postgres://postgres@127.0.0.1:5432/postgres);
 * the bench creates and drops databases named b_bench_api_<random>.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import SqliteDatabase from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import pg from 'pg';
import { applyPolicy } from '../src/app/apply-policy.ts';
import { createOrganization } from '../src/app/manage-organization.ts';
import { createToken } from '../src/app/create-token.ts';
import { createUser } from '../src/app/create-user.ts';
import { systemClock, type AppDeps } from '../src/app/deps.ts';
import { LiveEngine } from '../src/app/live-engine.ts';
import { PolicyRegistry } from '../src/app/policy-registry.ts';
import { REFERENCE_POLICY } from '../src/app/seed-demo.ts';
import * as unitOfWork from '../src/app/unit-of-work.ts';
import { buildApp } from '../src/http/build-app.ts';
import { openStore, tuneSqlite, type Store } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { newId } from '../src/store/new-id.ts';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
const which = process.env.BENCH_DB ?? 'both';
const connections = 10;
const poolSize = 10;
const adminUrl = process.env.ESCALON_BENCH_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// What a customer may send under the reference policy (customer_fields.settable: [priority]).
const body = JSON.stringify({ subject: 'Printer on fire', body: 'It is really on fire.', priority: 'high' });

interface Figure {
  rps: number;
  p99: number;
  errors: number;
  requests: number;
}

async function load(app: FastifyInstance, url: string, headers: Record<string, string>): Promise<Figure> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const r = await autocannon({ url: address + url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections, duration: seconds });
    return { rps: r.requests.average, p99: r.latency.p99, errors: r.non2xx + r.errors, requests: r.requests.total };
  } finally {
    await app.close();
  }
}

/** Counts the statements Kysely sends (BEGIN/COMMIT/SAVEPOINT excluded). */
const statements = { count: 0 };
const counting: KyselyPlugin = {
  transformQuery: (args) => {
    statements.count++;
    return args.node;
  },
  transformResult: async (args) => args.result,
};

interface Side {
  run(): Promise<Figure>;
  close(): Promise<void>;
}

/** Escalon as the server runs it: live engine, reference policy, a customer's Bearer token. */
/** SQLite group commit (absent before issue 15): changes per transaction. */
const groupStats = (unitOfWork as Record<string, unknown>).groupCommitStats as ((s: Store) => { transactions: number; members: number }) | undefined;

async function escalon(url: string): Promise<Side & { perRequest(): number; perCommit(): string }> {
  const opened = openStore(url, { poolSize });
  await migrateToLatest(opened);
  const store: Store = { db: opened.db.withPlugin(counting), dialect: opened.dialect, close: () => opened.close() };
  const live = new LiveEngine(new PolicyRegistry(), systemClock);
  const deps: AppDeps & { live: LiveEngine } = { store, clock: systemClock, attachmentLimit: 1 << 20, engine: live, live };
  const admin = await createUser(deps, { email: `admin-${newId()}@example.com`, name: 'Admin', role: 'admin', organizationId: null });
  await applyPolicy(deps, { userId: admin.id, email: admin.email, name: admin.name, role: 'admin', organizationId: null }, REFERENCE_POLICY, 'yaml');
  const org = await createOrganization(deps, { name: 'Bench', tier: 'enterprise', contractValue: 100000 });
  const user = await createUser(deps, { email: `bench-${newId()}@example.com`, name: 'Bench', role: 'customer', organizationId: org.id });
  const { secret } = await createToken(deps, { user: { id: user.id }, name: 'bench' });
  let counted = 0;
  let requests = 0;
  return {
    async run() {
      const app = await buildApp({ ...deps, http: { bodyLimit: 1 << 20, loginRateLimit: 10, sessionTtlMs: 3_600_000, secureCookies: false } });
      const before = statements.count;
      const fig = await load(app, '/api/v1/tickets', { authorization: `Bearer ${secret}` });
      counted += statements.count - before;
      requests += fig.requests;
      return fig;
    },
    perRequest: () => counted / Math.max(1, requests),
    perCommit: () => {
      const g = groupStats?.(store);
      return g && g.transactions > 0 ? (g.members / g.transactions).toFixed(1) : '1';
    },
    close: () => store.close(),
  };
}

const BARE_TABLE = 'create table t (id text primary key, subject text not null, body text not null, priority text not null, tags text not null, created_at bigint not null)';

async function bareSqlite(path: string): Promise<Side> {
  const db = new SqliteDatabase(path);
  tuneSqlite(db);
  db.exec(BARE_TABLE);
  const insert = db.prepare('insert into t values (?, ?, ?, ?, ?, ?)');
  return {
    async run() {
      const app = Fastify();
      app.post('/t', async (req, reply) => {
        const b = req.body as { subject: string; body: string; priority: string; tags: string[] };
        insert.run(newId(), b.subject, b.body, b.priority, '[]', Date.now());
        return reply.code(201).send({ ok: true });
      });
      return load(app, '/t', {});
    },
    close: async () => void db.close(),
  };
}

async function barePostgres(url: string): Promise<Side> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  await pool.query(BARE_TABLE);
  return {
    async run() {
      const app = Fastify();
      app.post('/t', async (req, reply) => {
        const b = req.body as { subject: string; body: string; priority: string; tags: string[] };
        await pool.query('insert into t values ($1, $2, $3, $4, $5, $6)', [newId(), b.subject, b.body, b.priority, '[]', Date.now()]);
        return reply.code(201).send({ ok: true });
      });
      return load(app, '/t', {});
    },
    close: () => pool.end(),
  };
}

async function pgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `b_bench_api_${randomBytes(5).toString('hex')}`;
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function compare(label: string, bare: Side, ours: Side & { perRequest(): number; perCommit(): string }): Promise<string[]> {
  const b: Figure[] = [];
  const o: Figure[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await bare.run());
    o.push(await ours.run());
  }
  const bm = median(b.map((f) => f.rps));
  const om = median(o.map((f) => f.rps));
  const each = (fs: Figure[]) => fs.map((f) => `${Math.round(f.rps)} (p99 ${f.p99}${f.errors ? `, ${f.errors} errors` : ''})`).join(', ');
  return [
    `| ${label}: bare Fastify + 1 INSERT | ${Math.round(bm)} | ${median(b.map((f) => f.p99))} | ${b.reduce((s, f) => s + f.errors, 0)} | 1.00 | 1 |`,
    `| ${label}: Escalon POST /api/v1/tickets, engine on | ${Math.round(om)} | ${median(o.map((f) => f.p99))} | ${o.reduce((s, f) => s + f.errors, 0)} | **${(om / bm).toFixed(2)}** | ${ours.perRequest().toFixed(1)} |`,
    `|  rounds, req/s: bare ${each(b)}; ours ${each(o)}; changes per commit ${ours.perCommit()} | | | | | |`,
  ];
}

function rate(fn: () => void, ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    fn();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'escalon-bench-'));
try {
  console.log(`# ${rounds} rounds × ${seconds} s per side, alternated, ${connections} connections, pool ${poolSize}, SQLite files in ${dir}, Node ${process.version}\n`);
  console.log('| target | req/s (median round) | p99 ms | errors | ratio to bare | SQL statements per request |\n|---|---:|---:|---:|---:|---:|');
  if (which !== 'postgres') {
    const bare = await bareSqlite(join(dir, 'bare.db'));
    const ours = await escalon(`sqlite:${join(dir, 'escalon.db')}`);
    for (const line of await compare('SQLite', bare, ours)) console.log(line);
    await bare.close();
    await ours.close();
  }
  if (which !== 'sqlite') {
    const a = await pgDatabase();
    const b = await pgDatabase();
    try {
      const bare = await barePostgres(b.url);
      const ours = await escalon(a.url);
      for (const line of await compare('PostgreSQL', bare, ours)) console.log(line);
      await bare.close();
      await ours.close();
    } catch (err) {
      console.log(`| PostgreSQL | failed: ${(err as Error).message} | | | | |`);
    } finally {
      await a.drop();
      await b.drop();
    }
  }

  const fd = openSync(join(dir, 'fsync.bin'), 'w');
  const page = Buffer.alloc(4096, 1);
  const fsyncs = rate(() => {
    writeSync(fd, page, 0, page.length, 0);
    fsyncSync(fd);
  }, 3000);
  closeSync(fd);
  const db = new SqliteDatabase(join(dir, 'commits.db'));
  tuneSqlite(db);
  db.exec(BARE_TABLE);
  const insert = db.prepare('insert into t values (?, ?, ?, ?, ?, ?)');
  const commits = rate(() => insert.run(newId(), 's', 'b', 'high', '[]', Date.now()), 3000);
  db.close();
  console.log(`\n| durability | per second |\n|---|---:|\n| raw write+fsync of one 4 KiB page | ${Math.round(fsyncs)} |\n| SQLite WAL synchronous=FULL autocommit INSERTs | ${Math.round(commits)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
