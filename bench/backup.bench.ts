/**
 * `escalon backup` of a large SQLite database while `escalon serve` takes writes: how long the
 * backup takes, how large the file is, and what the API's write latency does meanwhile; then
 * `backup --verify` and `restore` into a fresh path, timed, and the restored ticket count checked
 * against the creations acknowledged before the backup started.
 *
 *   npx tsx bench/report.bench.ts --tickets 100000 --dialect sqlite --generate-only --sqlite-prefix /tmp/escalon-bk-bench-
 *   npx tsx bench/backup.bench.ts --db /tmp/escalon-bk-bench-100000.db [--port 43050] [--writers 4] [--gzip]
 *
 * The database is used in place (tickets are added to it); an admin `bench-backup@example.com`
 * and a token are created in it when missing, and the ticket counter is moved past the generated
 * tickets (the generator does not advance it). Never run in CI.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/app/deps.ts';
import { createToken } from '../src/app/create-token.ts';
import { createUser } from '../src/app/create-user.ts';
import { openStore } from '../src/store/connect.ts';
import { findUserByEmail } from '../src/store/users-repo.ts';
import { sql } from 'kysely';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/escalon.js');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const DB = arg('db', '');
if (!DB) throw new Error('--db PATH: a migrated SQLite database (see the header)');
const PORT = Number(arg('port', '43050'));
const WRITERS = Number(arg('writers', '4'));
const GZIP = process.argv.includes('--gzip');
const work = mkdtempSync(join(tmpdir(), 'escalon-backup-bench-'));
const url = `sqlite:${DB}`;
const env = { ...process.env, ESCALON_DATABASE_URL: url, ESCALON_ATTACHMENTS_DIR: join(work, 'files'), PORT: String(PORT), HOST: '127.0.0.1', ESCALON_LOG_LEVEL: 'warn', ESCALON_ACCESS_LOG: 'off' };

async function token(): Promise<string> {
  const store = openStore(url);
  try {
    const deps = { store, clock: systemClock, attachmentLimit: 1 << 20 };
    await sql`update counters set value = (select max(number) from tickets) where name = 'ticket_number' and value < (select max(number) from tickets)`.execute(store.db);
    const email = 'bench-backup@example.com';
    if (!(await findUserByEmail(store.db, email))) await createUser(deps, { email, name: 'Backup bench', role: 'admin', password: 'plum tractor velvet 42 harbour' });
    return (await createToken(deps, { user: { email }, name: `backup bench ${Date.now()}` })).secret;
  } finally {
    await store.close();
  }
}

/** Runs a CLI command as a child (asynchronously: the writers in this process go on meanwhile). */
function timed(args: string[], extra: Record<string, string> = {}): Promise<{ ms: number; out: string }> {
  const t = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, ...extra } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t, out: out.trim() }) : reject(new Error(`escalon ${args.join(' ')}: ${err}`)))),
  );
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number) : NaN;
}

const secret = await token();
const server = spawn(process.execPath, [BIN, 'serve', '--services=api'], { cwd: ROOT, env });
await new Promise<void>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('listening on')) resolve();
  });
  server.stderr.on('data', (d: Buffer) => (out += d.toString()));
  server.on('exit', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
});

const acks: Array<{ at: number; ms: number; key: string }> = [];
let running = true;
const writers = Array.from({ length: WRITERS }, async (_, w) => {
  for (let i = 0; running; i++) {
    const t = performance.now();
    const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: `bench ${w}.${i}`, body: 'backup bench', requester: { email: 'bench-customer@example.org' }, organization_id: 'org' }),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`create: ${res.status} ${text}`);
    acks.push({ at: performance.now(), ms: performance.now() - t, key: (JSON.parse(text) as { key: string }).key });
  }
});

process.on('exit', () => server.kill('SIGTERM'));
await new Promise((r) => setTimeout(r, 5000));
const file = join(work, GZIP ? 'backup.tar.gz' : 'backup.tar');
const started = performance.now();
const backup = await timed(['backup', '--out', file]);
const ended = performance.now();
await new Promise((r) => setTimeout(r, 2000));
running = false;
await Promise.all(writers);
server.kill('SIGTERM');

const before = acks.filter((a) => a.at < started);
const during = acks.filter((a) => a.at >= started && a.at <= ended);
const verify = await timed(['backup', '--verify', file]);
const target = join(work, 'restored.db');
const restore = await timed(['restore', file], { ESCALON_DATABASE_URL: `sqlite:${target}`, ESCALON_ATTACHMENTS_DIR: join(work, 'restored-files') });
const restored = openStore(`sqlite:${target}`);
const numbers = new Set((await restored.db.selectFrom('tickets').select('number').where('number', '>=', Math.min(...acks.map((a) => Number(a.key.split('-')[1])))).execute()).map((r) => Number(r.number)));
const missing = before.filter((a) => !numbers.has(Number(a.key.split('-')[1])));
await restored.close();

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
console.log(`database ${DB}: ${mib(statSync(DB).size)}`);
console.log(`backup: ${(backup.ms / 1000).toFixed(2)} s wall (the CLI process, start to exit), file ${mib(statSync(file).size)}${GZIP ? ' (gzip)' : ''}`);
console.log(`  ${backup.out}`);
console.log(`writes (${WRITERS} writers, POST /tickets): before the backup ${before.length} (p50 ${pct(before.map((a) => a.ms), 50).toFixed(1)} ms, p99 ${pct(before.map((a) => a.ms), 99).toFixed(1)} ms); during it ${during.length} (p50 ${pct(during.map((a) => a.ms), 50).toFixed(1)} ms, p99 ${pct(during.map((a) => a.ms), 99).toFixed(1)} ms, max ${Math.max(...during.map((a) => a.ms)).toFixed(1)} ms)`);
console.log(`verify: ${(verify.ms / 1000).toFixed(2)} s; restore into a new file: ${(restore.ms / 1000).toFixed(2)} s`);
console.log(`restored: every one of the ${before.length} tickets acknowledged before the backup started is there (${missing.length} missing); of the ${acks.length} created in all, ${acks.filter((a) => numbers.has(Number(a.key.split('-')[1]))).length} are in the backup`);
if (missing.length) throw new Error(`the restored database lacks acknowledged tickets: ${missing.map((a) => a.key).join(', ')}`);
rmSync(work, { recursive: true, force: true });
