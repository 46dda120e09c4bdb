/**
 * Several real `escalon serve` processes (the compiled server, bin/escalon.js) on one
 * PostgreSQL database: a fresh migrated database seeded with the demo data here, then one child
 * process per node on a random loopback port. Used by the cross-node live-update tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedDemo } from '../../src/app/seed-demo.ts';
import { rebuildRollups } from '../../src/reporting/rollups.ts';
import { openStore } from '../../src/store/connect.ts';
import { createPostgresDatabase } from './db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeNode {
  readonly url: string;
  readonly child: ChildProcess;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** A fresh PostgreSQL database (migrated) with the demo seed; `drop` removes it. */
export async function demoPostgresDatabase(tickets = 30): Promise<{ url: string; drop: () => Promise<void> }> {
  const created = await createPostgresDatabase();
  const store = openStore(created.url, { poolSize: 4 });
  try {
    await seedDemo(store, { tickets });
    await rebuildRollups(store.db);
  } finally {
    await store.close();
  }
  return created;
}

/** Starts `escalon serve` on `databaseUrl` and resolves once it listens. */
export async function startServeNode(databaseUrl: string, env: Record<string, string> = {}): Promise<ServeNode> {
  const dir = mkdtempSync(join(tmpdir(), 'escalon-node-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin/escalon.js'), 'serve', '--services', 'api,scheduler,notifier'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ESCALON_DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      ESCALON_ATTACHMENTS_DIR: join(dir, 'attachments'),
      ESCALON_LOGIN_RATE_LIMIT: '1000',
      ESCALON_ACCESS_LOG: 'off',
      ...env,
    },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const seen = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', seen);
    child.once('exit', (code) => reject(new Error(`escalon serve exited (${code}): ${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An SSE client of GET /api/v1/stream (session cookie): collects the `tickets` keys and the
 * `refresh` events it receives, with the moment each arrived.
 */
export async function openStream(baseUrl: string, cookie: string): Promise<{ keys: Array<{ key: string; at: number }>; refreshes: number[]; close: () => void; opened: Promise<void> }> {
  const ac = new AbortController();
  const keys: Array<{ key: string; at: number }> = [];
  const refreshes: number[] = [];
  const res = await fetch(`${baseUrl}/api/v1/stream`, { headers: { cookie, accept: 'text/event-stream' }, signal: ac.signal });
  if (res.status !== 200 || !res.body) throw new Error(`stream: ${res.status} ${await res.text()}`);
  let opened = () => undefined as void;
  const openedP = new Promise<void>((r) => (opened = r));
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const at = Date.now();
          if (block.includes(': connected')) opened();
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'tickets' && data) for (const key of (JSON.parse(data) as { keys: string[] }).keys) keys.push({ key, at });
          if (event === 'refresh') refreshes.push(at);
        }
      }
    } catch {
      // aborted
    }
  })();
  return { keys, refreshes, close: () => ac.abort(), opened: openedP };
}

/** Signs in through the API; the session cookie. */
export async function sessionCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!login.ok) throw new Error(`sign-in of ${email} failed: ${login.status} ${await login.text()}`);
  return (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}
