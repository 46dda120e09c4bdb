// `escalon policy history | show | diff | rollback` as a user runs them: child processes on one SQLite file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POLICY = join(ROOT, 'policies/reference.policy.yaml');
const dir = mkdtempSync(join(tmpdir(), 'escalon-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ESCALON_DATABASE_URL: `sqlite:${join(dir, 'history.db')}` };

function escalon(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/escalon.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('escalon policy history | show | diff | rollback', () => {
  it('lists versions newest first, shows one, compares two, and rolls back only after --yes', () => {
    const original = readFileSync(POLICY, 'utf8');
    expect(escalon(['policy', 'apply', POLICY]).code).toBe(0);
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, original.replace('urgent: { first_response: 15m,', 'urgent: { first_response: 20m,'));
    expect(escalon(['policy', 'apply', changed]).code).toBe(0);

    const history = escalon(['policy', 'history']);
    expect(history.code, history.stderr).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\* v2 .* — sla ~1$/);
    expect(lines[1]).toMatch(/^ {2}v1 .* — first version$/);

    const shown = escalon(['policy', 'show', '1']);
    expect(shown.stdout).toBe(original);
    expect(shown.stderr).toContain('policy version 1');

    const diff = escalon(['policy', 'diff', '1', '2']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('version 1 → 2: sla ~1');
    expect(diff.stdout).toMatch(/^-.*urgent: \{ first_response: 15m,/m);
    expect(diff.stdout).toMatch(/^\+.*urgent: \{ first_response: 20m,/m);

    const plan = escalon(['policy', 'rollback', '1']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('would apply version 3 = version 1 rolled back to');
    expect(plan.stdout).toContain('SLA policies changed');
    expect(escalon(['policy', 'history']).stdout.trim().split('\n')).toHaveLength(2);

    const done = escalon(['policy', 'rollback', '1', '--yes']);
    expect(done.stdout).toContain('applied version 3');
    expect(escalon(['policy', 'export']).stdout).toBe(original);
    expect(escalon(['policy', 'history']).stdout.split('\n')[0]).toMatch(/^\* v3 .* — rollback to version 1: sla ~1$/);
  }, 120_000);

  it('refuses a version that does not exist or is not a number, saying which exist', () => {
    const missing = escalon(['policy', 'show', '99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/POLICY_VERSION_NOT_FOUND: there is no policy version 99; versions run from 1 to \d/);
    const bad = escalon(['policy', 'rollback', 'latest']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('"latest" is not a policy version');
  }, 60_000);
});
