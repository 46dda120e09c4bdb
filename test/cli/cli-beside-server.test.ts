/**
 * `escalon policy plan` beside a running server on the same SQLite file: the server (a child
 * process, `escalon serve --demo`) takes comments as fast as the test can send them while the
 * CLI plans a policy change several times. Every plan must succeed — a write transaction that
 * starts as a reader and then needs the write lock used to fail at once with SQLITE_BUSY,
 * whatever the busy timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POLICY = join(ROOT, 'policies/reference.policy.yaml');
const dir = mkdtempSync(join(tmpdir(), 'escalon-beside-'));
const env = { ...process.env, ESCALON_DATABASE_URL: `sqlite:${join(dir, 'escalon.db')}`, PORT: '0', HOST: '127.0.0.1' };
let server: ChildProcess | undefined;
let base = '';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/escalon.js'), ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  server = spawn(process.execPath, [join(ROOT, 'bin/escalon.js'), 'serve', '--demo', '--services', 'api,scheduler,notifier'], { cwd: ROOT, env });
  let out = '';
  base = await new Promise<string>((resolve, reject) => {
    server?.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    server?.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    server?.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}, 120_000);

afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('the CLI beside a running server (SQLite)', () => {
  it('plans a policy change five times while the server writes continuously, never failing on a locked database', async () => {
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'escalon-demo' }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const list = (await (await fetch(`${base}/api/v1/tickets?limit=20`, { headers: { cookie } })).json()) as { items: Array<{ key: string; status: string }> };
    const keys = list.items.filter((t) => t.status !== 'closed').map((t) => t.key);
    expect(keys.length).toBeGreaterThan(3);

    let writing = true;
    let writes = 0;
    const failures: string[] = [];
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const res = await fetch(`${base}/api/v1/tickets/${keys[i % keys.length]}/comments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ body: `note ${i}`, public: false }),
        });
        if (res.status === 201) writes++;
        else failures.push(`${res.status} ${await res.text()}`);
      }
    })();

    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, readFileSync(POLICY, 'utf8').replace('urgent: { first_response: 1h,', 'urgent: { first_response: 2h,'));
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await run(['policy', 'plan', changed]));
    writing = false;
    await writer;

    for (const r of results) {
      expect(r.stderr).not.toContain('SQLITE_BUSY');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('would apply version');
    }
    expect(failures).toEqual([]);
    expect(writes).toBeGreaterThan(10);
  }, 600_000);
});
