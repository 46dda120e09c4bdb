/**
 * Issue 16, item 3: a backup taken UNDER LOAD restores every acknowledged change.
 *
 * A real `escalon serve` (bin/escalon.js, a child process) takes ticket creations, comments and
 * attachment uploads from concurrent clients; `escalon backup` (another child process) runs in
 * the middle. Every request whose 201 arrived before the backup process was started is
 * "acknowledged before the backup". The backup is restored into a fresh database and attachment
 * directory, a server is started on it, and each of those changes must be there: the ticket, its
 * `ticket.created` / `comment.added` events, the comment, the attachment with the same bytes.
 * SQLite (the online backup API) and PostgreSQL (pg_dump of an exported snapshot).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, createPostgresDatabase, pgUnavailable } from '../helpers/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/escalon.js');
const hasPgDump = spawnSync('pg_dump', ['--version']).status === 0;
const REQUIRED = process.env.ESCALON_REQUIRE_ALL_SUITES === '1';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Env {
  ESCALON_DATABASE_URL: string;
  ESCALON_ATTACHMENTS_DIR: string;
}

function envOf(e: Env): NodeJS.ProcessEnv {
  return { ...process.env, ...e, PORT: '0', HOST: '127.0.0.1', ESCALON_LOG_LEVEL: 'warn', ESCALON_ACCESS_LOG: 'off' };
}

function runCli(args: string[], e: Env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: envOf(e) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function startServe(e: Env, demo: boolean): Promise<{ base: string; stop: () => Promise<void> }> {
  const args = ['serve', '--services', 'api,scheduler,notifier', ...(demo ? ['--demo'] : [])];
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: envOf(e) });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  return { base, stop };
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'escalon-demo' }) });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

interface Ack {
  at: number;
  ticket: string;
  commentId?: string;
  attachment?: { id: string; sha256: string };
}

/** Concurrent clients: each creates a ticket, then alternates comments and uploads+comments on it. */
function drive(base: string, cookie: string, workers: number) {
  const acks: Ack[] = [];
  const failures: string[] = [];
  let running = true;
  const json = { 'content-type': 'application/json', cookie };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const worker = async (w: number) => {
    let ticket: string | null = null;
    for (let i = 0; running; i++) {
      try {
        if (ticket === null || i % 7 === 0) {
          const t = await post('/tickets', { subject: `load ${w}.${i}`, body: 'under load', requester: { email: 'marta@umbrella.example' } });
          ticket = t.key as string;
          acks.push({ at: performance.now(), ticket });
        } else if (i % 2 === 0) {
          const c = await post(`/tickets/${ticket}/comments`, { body: `comment ${w}.${i}`, public: false });
          acks.push({ at: performance.now(), ticket, commentId: c.id as string });
        } else {
          const bytes = randomBytes(1000 + ((w * 7919 + i * 104729) % 60_000));
          const form = new FormData();
          form.append('file', new Blob([bytes]), `f-${w}-${i}.bin`);
          const up = await fetch(`${base}/api/v1/attachments`, { method: 'POST', headers: { cookie }, body: form });
          const upText = await up.text();
          if (up.status !== 201) throw new Error(`upload: ${up.status} ${upText}`);
          const a = (JSON.parse(upText) as { items: Array<{ id: string; sha256: string }> }).items[0] as { id: string; sha256: string };
          expect(a.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
          const c = await post(`/tickets/${ticket}/comments`, { body: `file ${w}.${i}`, public: false, attachment_ids: [a.id] });
          acks.push({ at: performance.now(), ticket, commentId: c.id as string, attachment: a });
        }
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const all = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    acks,
    failures,
    stop: async () => {
      running = false;
      await all;
    },
  };
}

async function untilAcks(acks: Ack[], n: number): Promise<void> {
  while (acks.length < n) await new Promise((r) => setTimeout(r, 50));
}

/** The whole scenario: load, backup mid-load, restore into `target`, check on a server there. */
async function scenario(source: Env, target: Env): Promise<void> {
  const src = await startServe(source, true);
  const cookie = await login(src.base);
  const load = drive(src.base, cookie, 4);
  await untilAcks(load.acks, 30);

  const backupFile = join(mkdtempSync(join(tmpdir(), 'escalon-bk-out-')), 'backup.tar.gz');
  cleanups.push(() => rmSync(join(backupFile, '..'), { recursive: true, force: true }));
  const backupStarted = performance.now();
  const backup = await runCli(['backup', '--out', backupFile], source);
  const backupEnded = performance.now();
  expect(backup.code, backup.stderr).toBe(0);
  await untilAcks(load.acks, load.acks.length + 10);
  await load.stop();
  await src.stop();
  expect(load.failures).toEqual([]);

  const before = load.acks.filter((a) => a.at < backupStarted);
  const during = load.acks.filter((a) => a.at >= backupStarted && a.at <= backupEnded);
  // The premise: the server kept acknowledging changes while the backup process ran.
  expect(during.length, 'changes acknowledged while the backup ran').toBeGreaterThan(0);
  expect(before.some((a) => a.attachment)).toBe(true);

  const restored = await runCli(['restore', backupFile], target);
  expect(restored.code, restored.stderr).toBe(0);
  expect(restored.stdout).toContain('restored ');

  const dst = await startServe(target, false);
  const c2 = await login(dst.base);
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${dst.base}/api/v1${path}`, { headers: { cookie: c2 } });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  };
  const byTicket = new Map<string, Ack[]>();
  for (const a of before) byTicket.set(a.ticket, [...(byTicket.get(a.ticket) ?? []), a]);
  for (const [ticket, acks] of byTicket) {
    const events = (await get<{ items: Array<{ type: string; payload: Record<string, unknown> }> }>(`/tickets/${ticket}/events`)).items;
    expect(events.some((e) => e.type === 'ticket.created'), `${ticket}: ticket.created`).toBe(true);
    const comments = (await get<{ items: Array<{ id: string }> }>(`/tickets/${ticket}/comments`)).items.map((c) => c.id);
    const attachments = (await get<{ items: Array<{ id: string; sha256: string }> }>(`/tickets/${ticket}/attachments`)).items;
    for (const a of acks) {
      if (!a.commentId) continue;
      expect(comments, `${ticket}: comment ${a.commentId}`).toContain(a.commentId);
      expect(events.some((e) => e.type === 'comment.added' && e.payload.comment_id === a.commentId), `${ticket}: comment.added ${a.commentId}`).toBe(true);
      if (!a.attachment) continue;
      expect(attachments.map((x) => x.id)).toContain(a.attachment.id);
      const res = await fetch(`${dst.base}/api/v1/attachments/${a.attachment.id}`, { headers: { cookie: c2 } });
      expect(res.status).toBe(200);
      expect(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(a.attachment.sha256);
    }
  }
  await dst.stop();
  console.log(`backup under load: ${load.acks.length} changes acknowledged, ${before.length} before the backup started (all restored), ${during.length} while it ran`);
}

describe('backup under load, restored [sqlite]', () => {
  it('finds every change acknowledged before the backup started (tickets, events, comments, attachment bytes)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'escalon-bk-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await scenario(
      { ESCALON_DATABASE_URL: `sqlite:${join(dir, 'src/escalon.db')}`, ESCALON_ATTACHMENTS_DIR: join(dir, 'src/files') },
      { ESCALON_DATABASE_URL: `sqlite:${join(dir, 'dst/escalon.db')}`, ESCALON_ATTACHMENTS_DIR: join(dir, 'dst/files') },
    );
  }, 300_000);
});

describe('backup under load, restored [postgres]', () => {
  const problem = pgUnavailable ?? (hasPgDump ? null : 'pg_dump is not installed (Debian: postgresql-client)');
  if (problem && REQUIRED) {
    it('needs PostgreSQL and pg_dump (ESCALON_REQUIRE_ALL_SUITES=1)', () => {
      throw new Error(problem);
    });
  }
  if (!problem) {
    it('finds every change acknowledged before the backup started, restored with pg_dump/psql into a fresh database', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'escalon-bk-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const source = await createPostgresDatabase();
      cleanups.push(source.drop);
      const name = `escalon_test_restore_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const u = new URL(ADMIN_URL);
      u.pathname = `/${name}`;
      cleanups.push(async () => {
        const c = new pg.Client({ connectionString: ADMIN_URL });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      });
      await scenario(
        { ESCALON_DATABASE_URL: source.url, ESCALON_ATTACHMENTS_DIR: join(dir, 'src/files') },
        { ESCALON_DATABASE_URL: u.toString(), ESCALON_ATTACHMENTS_DIR: join(dir, 'dst/files') },
      );
    }, 300_000);
  }
});
