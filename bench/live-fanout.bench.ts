/**
 * Live updates across nodes on PostgreSQL (issue 16), two figures:
 *
 * 1. Fan-out lag: two real `escalon serve` processes (bin/escalon.js) on one fresh database
 *    (demo seed); an SSE client on node B; N comments posted one after another through node A's
 *    API (a random 0–100 ms pause between them, so they do not beat in step with the stream's
 *    150 ms gathering). For each, the time from A's answer (the commit happened before it: a
 *    lower bound) and from the request being sent (an upper bound) to the key arriving on B's
 *    stream. p50 / p99 / max.
 *
 * 2. What the notification costs a commit, PostgreSQL alone: transactions of one INSERT each,
 *    committed with a plain COMMIT or with `select pg_notify(…); commit` in the same round trip
 *    (what Escalon sends), at 1 and at 10 connections, rounds alternated (plain, notify, …).
 *
 *   npx tsx bench/live-fanout.bench.ts [changes, default 200] [seconds per commit round, default 3] [rounds, default 3]
 *
 * ESCALON_BENCH_PG_ADMIN (default postgres://postgres@127.0.0.1:5432/postgres); creates and
 * drops a database named b_bench_live_<random>. Uses the compiled server (bin/escalon.js builds it when stale).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEMO_PASSWORD, seedDemo } from '../src/app/seed-demo.ts';
import { openStore } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { commitSql, encodeNotices } from '../src/store/ticket-notify.ts';

const changes = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 3);
const rounds = Number(process.argv[4] ?? 3);
const adminUrl = process.env.ESCALON_BENCH_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

async function admin(q: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

async function startNode(url: string, dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/escalon.js'), 'serve', '--services', 'api,scheduler,notifier'], {
    cwd: ROOT,
    env: { ...process.env, ESCALON_DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', ESCALON_ATTACHMENTS_DIR: join(dir, 'att'), ESCALON_ACCESS_LOG: 'off', ESCALON_LOGIN_RATE_LIMIT: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
  return { url: address, child };
}

async function cookieFor(base: string, email: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
  if (!r.ok) throw new Error(`login ${r.status}`);
  return (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function fanOut(url: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'escalon-fanout-'));
  const nodes: ChildProcess[] = [];
  try {
    const a = await startNode(url, dir);
    nodes.push(a.child);
    const b = await startNode(url, dir);
    nodes.push(b.child);
    const cookieA = await cookieFor(a.url, 'ana@example.com');
    const cookieB = await cookieFor(b.url, 'lina@example.com');
    const list = (await (await fetch(`${a.url}/api/v1/tickets?limit=50`, { headers: { cookie: cookieA } })).json()) as { items: Array<{ key: string; status: string }> };
    const keys = list.items.filter((t) => t.status !== 'closed').map((t) => t.key);

    const arrivals = new Map<string, number>();
    const waiting: { current: { key: string; resolve: () => void } | null } = { current: null };
    const ac = new AbortController();
    const res = await fetch(`${b.url}/api/v1/stream`, { headers: { cookie: cookieB, accept: 'text/event-stream' }, signal: ac.signal });
    void (async () => {
      const dec = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const at = performance.now();
          buf += dec.decode(chunk, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = /^event: tickets\ndata: (.*)$/m.exec(block)?.[1];
            if (!data) continue;
            for (const k of (JSON.parse(data) as { keys: string[] }).keys) {
              arrivals.set(k, at);
              if (waiting.current?.key === k) waiting.current.resolve();
            }
          }
        }
      } catch {
        // closed
      }
    })();
    await new Promise((r) => setTimeout(r, 1500)); // B's listener connected, its first refresh sent

    const fromAnswer: number[] = [];
    const fromSend: number[] = [];
    for (let i = 0; i < changes; i++) {
      const key = keys[i % keys.length] ?? '';
      arrivals.delete(key);
      const heard = new Promise<void>((resolve) => (waiting.current = { key, resolve }));
      const sent = performance.now();
      const r = await fetch(`${a.url}/api/v1/tickets/${key}/comments`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookieA }, body: JSON.stringify({ body: `fan-out ${i}`, public: false }) });
      const answered = performance.now();
      if (r.status !== 201) throw new Error(`comment ${r.status} ${await r.text()}`);
      await Promise.race([heard, new Promise((_, rej) => setTimeout(() => rej(new Error(`${key} not heard on B within 10 s`)), 10_000))]);
      const at = arrivals.get(key) ?? NaN;
      fromAnswer.push(at - answered);
      fromSend.push(at - sent);
      await new Promise((r2) => setTimeout(r2, Math.random() * 100));
    }
    ac.abort();
    const row = (name: string, xs: number[]) => `| ${name} | ${pct(xs, 50).toFixed(0)} | ${pct(xs, 99).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`;
    console.log(`\n## Fan-out lag, ${changes} comments through node A → key on node B's SSE stream (ms)\n`);
    console.log('| measured from | p50 | p99 | max |\n|---|---:|---:|---:|');
    console.log(row("A's answer (lower bound of commit → B)", fromAnswer));
    console.log(row('the request sent (upper bound)', fromSend));
  } finally {
    for (const c of nodes) c.kill('SIGTERM');
    await Promise.all(nodes.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function commitCost(url: string): Promise<void> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query('create table if not exists b_commit (id bigserial primary key, v text not null)');
  await setup.end();
  const payload = encodeNotices('benchnode01', [{ key: 'ESC-12345', organizationId: '01936f0e-7d1c-7a3b-9c2d-000000000001' }]);
  const run = async (conns: number, notify: boolean): Promise<number> => {
    const clients = await Promise.all(
      Array.from({ length: conns }, async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        return c;
      }),
    );
    const end = performance.now() + seconds * 1000;
    let n = 0;
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          await c.query('begin');
          await c.query('insert into b_commit (v) values ($1)', ['x']);
          await c.query(notify ? commitSql(payload) : 'commit');
          n++;
        }
      }),
    );
    await Promise.all(clients.map((c) => c.end()));
    return n / seconds;
  };
  console.log(`\n## Commit cost of the notification (PostgreSQL alone; ${rounds} rounds × ${seconds} s per side, alternated; transactions/s)\n`);
  console.log('| connections | plain COMMIT (median) | pg_notify + COMMIT, one round trip (median) | ratio | rounds plain / notify |\n|---:|---:|---:|---:|---|');
  for (const conns of [1, 10]) {
    const plain: number[] = [];
    const withNotify: number[] = [];
    for (let r = 0; r < rounds; r++) {
      plain.push(await run(conns, false));
      withNotify.push(await run(conns, true));
    }
    const mp = pct(plain, 50);
    const mn = pct(withNotify, 50);
    console.log(`| ${conns} | ${mp.toFixed(0)} | ${mn.toFixed(0)} | ${(mn / mp).toFixed(2)} | ${plain.map((x) => x.toFixed(0)).join(', ')} / ${withNotify.map((x) => x.toFixed(0)).join(', ')} |`);
  }
}

const name = `b_bench_live_${randomBytes(5).toString('hex')}`;
const u = new URL(adminUrl);
u.pathname = `/${name}`;
await admin(`create database ${name}`);
try {
  const store = openStore(u.toString(), { poolSize: 4 });
  await migrateToLatest(store);
  await seedDemo(store, { tickets: 20 });
  await store.close();
  console.log(`# live updates across nodes — ${new Date().toISOString()}, load ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}, Node ${process.version}`);
  await fanOut(u.toString());
  await commitCost(u.toString());
} finally {
  await admin(`drop database if exists ${name} with (force)`);
}
