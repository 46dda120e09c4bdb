// Issue 13: "a test runs every command in the README, as written, in a fresh clone". The tracked
// files (their working-tree versions, so it runs before a commit too) are copied to a temporary
// directory with node_modules linked in; every command of README.md's `sh` blocks then runs there,
// block by block (an `export` holds for the rest of its block), and must exit 0.
// Where a command cannot run as written the test says so in its name:
// - `npm ci` produced the linked node_modules; `npm test` is the suite this test belongs to;
// - servers listen on this test's port instead of :8080 (the curl commands' `localhost:8080` is
//   rewritten to it), and `postgres://…@db.example` is a database of the test server.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, pgUnavailable } from '../helpers/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PORT = 4500 + (process.pid % 50);
const SERVE_PORT = PORT + 50;
const LONG = 600_000;

export interface ReadmeCommand {
  line: number;
  block: number;
  text: string;
}

/** The commands of every ```sh block: comments dropped, `\` continuations joined, `&&` chains split. */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  const lines = markdown.split('\n');
  let block = -1;
  let inSh = false;
  let pending = '';
  let pendingLine = 0;
  lines.forEach((raw, i) => {
    if (/^```/.test(raw)) {
      inSh = !inSh && /^```(sh|bash|shell)\s*$/.test(raw);
      if (inSh) block++;
      return;
    }
    if (!inSh) return;
    const line = raw.replace(/\s+#\s.*$/, '').trimEnd();
    if (pending === '') pendingLine = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      return;
    }
    const full = (pending + line.trim()).trim();
    pending = '';
    if (full === '') return;
    for (const part of full.split(/\s+&&\s+/)) out.push({ line: pendingLine, block, text: part.trim() });
  });
  return out;
}

const commands = readmeCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const clone = mkdtempSync(join(tmpdir(), 'escalon-readme-'));
const servers: ChildProcess[] = [];
const drops: Array<() => Promise<void>> = [];

function copyTrackedFiles(): void {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f !== '' && f !== 'node_modules');
  for (const f of files) {
    const from = join(ROOT, f);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    copyFileSync(from, join(clone, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
}

/** The environment of a fresh shell: none of this test run's ESCALON_* settings. */
function freshEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ESCALON_') && k !== 'PORT' && k !== 'HOST' && !k.startsWith('VITEST')) env[k] = v;
  return { ...env, NODE_ENV: 'production', ...extra };
}

function sh(command: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', command], { cwd: clone, env, encoding: 'utf8', timeout: LONG, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a long-running command; resolves with the process once it prints "listening on …". */
function startServer(command: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn('sh', ['-c', `exec ${command}`], { cwd: clone, env });
  servers.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (d: Buffer) => {
      out += d.toString();
      if (/listening on http/.test(out)) resolve(child);
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code, signal) => reject(new Error(`${command} exited (${code ?? signal}) before listening:\n${out.slice(-3000)}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves true once nothing answers on the port (the server has closed it); the test's timeout bounds the wait. */
async function refused(port: number): Promise<boolean> {
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(() => copyTrackedFiles(), LONG);
afterAll(async () => {
  for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGTERM');
  await Promise.all(servers.map(exited));
  for (const drop of drops) await drop();
  rmSync(clone, { recursive: true, force: true });
}, LONG);

describe('README.md: every command, as written, in a fresh copy of the repository', () => {
  it('finds the commands of every sh block', () => {
    expect(commands.map((c) => c.text)).toEqual(expect.arrayContaining(['npm ci', 'npm start', 'npx escalon migrate', 'npx escalon org list']));
  });

  let block = -1;
  let env: NodeJS.ProcessEnv = {};
  let demo: ChildProcess | undefined;
  for (const c of commands) {
    const name = `README.md:${c.line}: ${c.text}`;
    if (c.block !== block) {
      block = c.block;
      const fresh = () => (env = freshEnv({ PORT: String(PORT), HOST: '127.0.0.1' }));
      it(`(block ${block}: a new shell)`, fresh);
    }
    if (c.text === 'npm ci') {
      it(`${name} — not run: it is the command that produced the node_modules linked into the copy`, () => {
        expect(existsSync(join(clone, 'node_modules', '.package-lock.json'))).toBe(true);
      });
    } else if (c.text === 'npm test') {
      it(`${name} — not run: it is the whole suite, this test included (CI runs it)`, () => {
        expect((JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.test).toBe('vitest run');
      });
    } else if (c.text === 'npm start') {
      it(`${name} — on port ${PORT} instead of 8080; it stays up for the commands that need a server`, async () => {
        demo = await startServer('npm start', env);
        const health = await fetch(`http://127.0.0.1:${PORT}/healthz`);
        expect(health.status).toBe(200);
      }, LONG);
    } else if (/^export \w+=/.test(c.text)) {
      const [, key, value] = /^export (\w+)=(.*)$/.exec(c.text) ?? [];
      const db = key === 'ESCALON_DATABASE_URL' && value?.includes('db.example');
      it(`${name}${db ? ` — a database of the test PostgreSQL server${pgUnavailable ? ' (unreachable: SQLite instead)' : ''} instead of db.example` : ''}`, async () => {
        if (!key || value === undefined) throw new Error(`cannot parse ${c.text}`);
        if (db && pgUnavailable) env[key] = `sqlite:${join(clone, 'data', 'pg-stand-in.db')}`;
        else if (db) {
          const created = await createPostgresDatabase();
          drops.push(created.drop);
          env[key] = created.url;
        } else env[key] = value;
      });
    } else if (/^(npx escalon|node bin\/escalon\.js) serve\b/.test(c.text)) {
      it(`${name} — on port ${SERVE_PORT}; stopped with SIGTERM`, async () => {
        const server = await startServer(c.text, { ...env, PORT: String(SERVE_PORT) });
        expect((await fetch(`http://127.0.0.1:${SERVE_PORT}/readyz`)).status).toBe(200);
        server.kill('SIGTERM');
        expect(await exited(server)).toEqual({ code: 0, signal: null });
        expect(await refused(SERVE_PORT)).toBe(true);
      }, LONG);
    } else {
      const command = c.text.replaceAll('localhost:8080', `127.0.0.1:${PORT}`);
      const rewritten = command !== c.text ? ` — against the server of npm start (127.0.0.1:${PORT})` : '';
      it(`${name}${rewritten}`, () => {
        const r = sh(command, env);
        expect(r.status, `${c.text}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`).toBe(0);
        if (c.text.startsWith('curl ')) expect(r.stdout).not.toMatch(/"error"\s*:/);
      }, LONG);
    }
  }

  it('npm start forwards SIGTERM: the npm process and the server it started exit, the port closes', async () => {
    if (!demo) throw new Error('README.md has no `npm start`');
    demo.kill('SIGTERM');
    const end = await exited(demo);
    expect(end.signal === 'SIGTERM' || end.code === 0, JSON.stringify(end)).toBe(true);
    expect(await refused(PORT)).toBe(true);
  }, LONG);
});
