/**
 * Start-up time and memory of the `escalon` command, in fresh processes, for one or more
 * checkouts side by side (e.g. the compiled server against an unchanged checkout that runs
 * through the TypeScript loader). The sides are interleaved (A B A B …), same rounds for each.
 *
 *   npx tsx bench/startup.bench.ts [--rounds N] [--idle-ms MS] [--port P] DIR [DIR…]
 *
 * Per side: `node DIR/bin/escalon.js --version` wall time; `node DIR/bin/escalon.js serve`
 * (SQLite, a database migrated beforehand, services api,scheduler,notifier) from spawn until
 * GET /healthz answers 200, its resident set size then (VmRSS, /proc) and after MS idle, then
 * SIGTERM until the process has exited. Build-at-start is excluded: one `--version` run per side
 * before timing builds what is stale.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
let rounds = 10;
let idleMs = 3000;
let port = 43010;
const dirs: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  if (a === '--rounds') rounds = Number(args[++i]);
  else if (a === '--idle-ms') idleMs = Number(args[++i]);
  else if (a === '--port') port = Number(args[++i]);
  else dirs.push(resolve(a));
}
if (dirs.length === 0) dirs.push(resolve('.'));

const work = mkdtempSync(join(tmpdir(), 'escalon-startup-'));
const db = `sqlite:${join(work, 'escalon.db')}`;
const env = { ...process.env, ESCALON_DATABASE_URL: db, HOST: '127.0.0.1', ESCALON_LOG_LEVEL: 'warn', NODE_ENV: 'production' };

function bin(dir: string): string {
  return join(dir, 'bin', 'escalon.js');
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function versionMs(dir: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin(dir), '--version'], { env, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${dir}: --version failed: ${r.stderr}`);
  return ms;
}

async function serveOnce(dir: string, p: number): Promise<{ ms: number; rssStart: number; rssIdle: number; stopMs: number }> {
  const t = performance.now();
  const child = spawn(process.execPath, [bin(dir), 'serve', '--services', 'api,scheduler,notifier'], { env: { ...env, PORT: String(p) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  // Wait for the server's own "listening on" line before the first request: polling a port of the
  // ephemeral range before anything listens can connect the client to itself (TCP self-connect),
  // which then holds the port.
  let out = '';
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on http/.test(out)) res();
    });
    child.once('exit', () => rej(new Error(`${dir}: serve exited: ${err}`)));
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${dir}: serve exited: ${err}`);
    try {
      const r = await fetch(`http://127.0.0.1:${p}/healthz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t;
  const rssStart = rssKb(child.pid as number);
  await new Promise((r) => setTimeout(r, idleMs));
  const rssIdle = rssKb(child.pid as number);
  const s = performance.now();
  child.kill('SIGTERM');
  await exited;
  return { ms, rssStart, rssIdle, stopMs: performance.now() - s };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};
const max = (xs: number[]) => Math.max(...xs);

// The database, migrated once (by the first side).
const m = spawnSync(process.execPath, [bin(dirs[0] as string), 'migrate'], { env, encoding: 'utf8' });
if (m.status !== 0) throw new Error(`migrate failed: ${m.stderr}`);
for (const d of dirs) versionMs(d); // builds what is stale, warms the disk cache

const results = dirs.map(() => ({ version: [] as number[], serve: [] as number[], rssStart: [] as number[], rssIdle: [] as number[], stop: [] as number[] }));
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < dirs.length; i++) results[i]?.version.push(versionMs(dirs[i] as string));
}
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < dirs.length; i++) {
    const o = await serveOnce(dirs[i] as string, port + r * dirs.length + i); // a fresh port each run
    const res = results[i];
    res?.serve.push(o.ms);
    res?.rssStart.push(o.rssStart / 1024);
    res?.rssIdle.push(o.rssIdle / 1024);
    res?.stop.push(o.stopMs);
  }
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`${rounds} rounds per side, interleaved; idle ${idleMs} ms`);
console.log('| checkout | `--version` median (max) ms | `serve` → /healthz 200 median (max) ms | RSS at /healthz MiB | RSS after idle MiB | SIGTERM → exit ms |');
console.log('|---|---:|---:|---:|---:|---:|');
dirs.forEach((d, i) => {
  const r = results[i];
  if (!r) return;
  console.log(`| ${d} | ${median(r.version).toFixed(0)} (${max(r.version).toFixed(0)}) | ${median(r.serve).toFixed(0)} (${max(r.serve).toFixed(0)}) | ${median(r.rssStart).toFixed(1)} | ${median(r.rssIdle).toFixed(1)} | ${median(r.stop).toFixed(0)} |`);
});
rmSync(work, { recursive: true, force: true });
