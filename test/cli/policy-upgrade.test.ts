// A release that tightens what a policy may hold (e.g. regular expressions RE2 cannot run)
// meets a database whose policy in force used it: `serve` refuses to start and says how to
// mend it, and `policy apply` of a corrected document works over the stale version.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POLICY = join(ROOT, 'policies/reference.policy.yaml');
const dir = mkdtempSync(join(tmpdir(), 'escalon-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, ESCALON_DATABASE_URL: `sqlite:${join(dir, 'e.db')}`, ESCALON_ATTACHMENTS_DIR: join(dir, 'files') };

function escalon(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/escalon.js'), ...args], { cwd: ROOT, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `serve --services scheduler` until it exits or says it runs (then stopped with SIGTERM). */
function serveScheduler(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/escalon.js'), 'serve', '--services', 'scheduler'], { cwd: ROOT, env });
    let out = '';
    const seen = (b: Buffer) => {
      out += b.toString();
      // (the stop handlers are installed once every service has started)
      if (out.includes('scheduler running')) setTimeout(() => child.kill('SIGTERM'), 1000);
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, out });
    });
  });
}

describe('a stored policy this release no longer accepts', () => {
  it('stops serve with the way to mend it, and policy apply mends it', async () => {
    expect(escalon(['migrate']).code).toBe(0);
    expect(escalon(['policy', 'apply', POLICY]).stderr).toBe('');
    // Version 2 as an older release accepted it: a lookahead in a rule's regex.
    const stale = readFileSync(POLICY, 'utf8').replace('(lawyer|attorney|lawsuit', '(lawyer(?!s)|attorney|lawsuit');
    expect(stale).not.toBe(readFileSync(POLICY, 'utf8'));
    const db = new Database(join(dir, 'e.db'));
    db.prepare('insert into policies (version, source, format, applied_at, applied_by, rollback_of) values (2, ?, ?, ?, ?, null)').run(stale, 'yaml', Date.now(), 'older-release@example.com');
    db.close();

    const refused = await serveScheduler();
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('stored policy version 2 no longer validates');
    expect(refused.out).toContain('escalon policy apply');
    expect(refused.out).not.toMatch(/\n\s+at /);

    const mended = escalon(['policy', 'apply', POLICY]);
    expect(mended.code, mended.stderr).toBe(0);
    const started = await serveScheduler();
    expect(started.out).toContain('scheduler running');
    expect(started.code).toBe(0);
  }, 180_000);
});
