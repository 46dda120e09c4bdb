/**
 * Ticket creation through the HTTP API vs a bare Fastify route doing one INSERT, same
 * database settings, same run; on SQLite and on PostgreSQL. Then durable commits/s with
 * synchronous=FULL against the disk's raw fsync rate.
 *
 *   npx tsx bench/api-insert.bench.ts [seconds per run, default 10]
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import SqliteDatabase from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { createOrganization } from '../src/app/manage-organization.ts';
import { createToken } from '../src/app/create-token.ts';
import { createUser } from '../src/app/create-user.ts';
import { systemClock, type AppDeps } from '../src/app/deps.ts';
import { buildApp } from '../src/http/build-app.ts';
import { openStore, tuneSqlite } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { newId } from '../src/store/new-id.ts';
import { createPostgresDatabase } from '../test/helpers/db.ts';

const seconds = Number(process.argv[2] ?? 10);
const connections = 10;
const body = JSON.stringify({ subject: 'Printer on fire', body: 'It is really on fire.', priority: 'high', tags: ['bench'] });

interface Figure {
  rps: number;
  p99: number;
  errors: number;
}

async function load(app: FastifyInstance, url: string, headers: Record<string, string>): Promise<Figure> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const r = await autocannon({ url: address + url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections, duration: seconds });
  await app.close();
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.non2xx + r.errors };
}

async function escalon(url: string): Promise<Figure> {
  const store = openStore(url);
  await migrateToLatest(store);
  const deps: AppDeps = { store, clock: systemClock, attachmentLimit: 1 << 20 };
  const org = await createOrganization(deps, { name: 'Bench', tier: 'standard' });
  const user = await createUser(deps, { email: `bench-${newId()}@example.com`, name: 'Bench', role: 'customer', organizationId: org.id });
  const { secret } = await createToken(deps, { user: { id: user.id }, name: 'bench' });
  const app = await buildApp({ ...deps, http: { bodyLimit: 1 << 20, loginRateLimit: 10, sessionTtlMs: 3_600_000, secureCookies: false } });
  const fig = await load(app, '/api/v1/tickets', { authorization: `Bearer ${secret}` });
  await store.close();
  return fig;
}

const BARE_TABLE = 'create table t (id text primary key, subject text not null, body text not null, priority text not null, tags text not null, created_at bigint not null)';

async function bareSqlite(path: string): Promise<Figure> {
  const db = new SqliteDatabase(path);
  tuneSqlite(db);
  db.exec(BARE_TABLE);
  const insert = db.prepare('insert into t values (?, ?, ?, ?, ?, ?)');
  const app = Fastify();
  app.post('/t', async (req, reply) => {
    const b = req.body as { subject: string; body: string; priority: string; tags: string[] };
    insert.run(newId(), b.subject, b.body, b.priority, JSON.stringify(b.tags), Date.now());
    return reply.code(201).send({ ok: true });
  });
  const fig = await load(app, '/t', {});
  db.close();
  return fig;
}

async function barePostgres(url: string): Promise<Figure> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(BARE_TABLE);
  const app = Fastify();
  app.post('/t', async (req, reply) => {
    const b = req.body as { subject: string; body: string; priority: string; tags: string[] };
    await pool.query('insert into t values ($1, $2, $3, $4, $5, $6)', [newId(), b.subject, b.body, b.priority, JSON.stringify(b.tags), Date.now()]);
    return reply.code(201).send({ ok: true });
  });
  const fig = await load(app, '/t', {});
  await pool.end();
  return fig;
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

function row(name: string, f: Figure, base?: Figure): string {
  return `| ${name} | ${Math.round(f.rps)} | ${f.p99} | ${f.errors} | ${base ? (f.rps / base.rps).toFixed(2) : '1.00'} |`;
}

const dir = mkdtempSync(join(tmpdir(), 'escalon-bench-'));
try {
  console.log(`# ${seconds}s per run, ${connections} connections, Node ${process.version}\n`);
  console.log('| target | req/s | p99 ms | errors | ratio to bare |\n|---|---:|---:|---:|---:|');
  const sqBare = await bareSqlite(join(dir, 'bare.db'));
  const sqOurs = await escalon(`sqlite:${join(dir, 'escalon.db')}`);
  console.log(row('SQLite: bare Fastify + 1 INSERT', sqBare));
  console.log(row('SQLite: Escalon POST /api/v1/tickets', sqOurs, sqBare));
  try {
    const a = await createPostgresDatabase();
    const b = await createPostgresDatabase();
    const pgBare = await barePostgres(b.url);
    const pgOurs = await escalon(a.url);
    console.log(row('PostgreSQL: bare Fastify + 1 INSERT', pgBare));
    console.log(row('PostgreSQL: Escalon POST /api/v1/tickets', pgOurs, pgBare));
    await a.drop();
    await b.drop();
  } catch (err) {
    console.log(`| PostgreSQL | skipped: ${(err as Error).message} | | | |`);
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
