// Issue 13: every command that reads (or writes) a file answers a missing path with one line —
// `escalon <command>: cannot read <path>: no such file` — a non-zero status and no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'escalon-missing-'));
const MISSING = join(dir, 'not-there.yaml');
const NO_DIR = join(dir, 'no-such-dir', 'out.jsonl');
const POLICY = 'policies/reference.policy.yaml';
const WORKLOAD = 'examples/workload.example.jsonl';
const env: NodeJS.ProcessEnv = { ...process.env, ESCALON_DATABASE_URL: `sqlite:${join(dir, 'escalon.db')}` };
delete env.ESCALON_CONFIG_FILE;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function escalon(args: string[], extraEnv: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/escalon.js'), ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** [command as typed, args, the one line expected on standard error]. */
const CASES: Array<[string, string[], string]> = [
  ['policy validate', ['policy', 'validate', MISSING], `escalon policy validate: cannot read ${MISSING}: no such file`],
  ['policy plan', ['policy', 'plan', MISSING], `escalon policy plan: cannot read ${MISSING}: no such file`],
  ['policy apply', ['policy', 'apply', MISSING], `escalon policy apply: cannot read ${MISSING}: no such file`],
  ['simulate --policy', ['simulate', '--policy', MISSING, '--workload', WORKLOAD], `escalon simulate: cannot read policy ${MISSING}: no such file`],
  ['simulate --workload', ['simulate', '--policy', POLICY, '--workload', MISSING], `escalon simulate: cannot read workload ${MISSING}: no such file`],
  ['simulate --out', ['simulate', '--policy', POLICY, '--workload', WORKLOAD, '--out', NO_DIR], `escalon simulate: cannot write ${NO_DIR}: no such file`],
  ['import servicenow', ['import', 'servicenow', MISSING], `escalon import servicenow: cannot read ${MISSING}: no such file`],
  ['import servicenow --out', ['import', 'servicenow', 'examples/data/servicenow-incidents-train.csv.gz', '--out', NO_DIR], `escalon import servicenow: cannot write ${NO_DIR}: no such file`],
  ['restore', ['restore', MISSING], `escalon restore: cannot read ${MISSING}: no such file`],
  ['backup --verify', ['backup', '--verify', MISSING], `escalon backup --verify: cannot read ${MISSING}: no such file`],
  ['backup --out', ['backup', '--out', NO_DIR], `escalon backup: cannot write ${NO_DIR}: the directory ${join(dir, 'no-such-dir')} does not exist`],
];

describe('a missing input file is a one-line error for every command', () => {
  it.each(CASES)('%s', (_name, args, line) => {
    const r = escalon(args);
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr).toBe(`${line}\n`);
  });

  it('ESCALON_CONFIG_FILE naming a missing file (any command)', () => {
    const r = escalon(['migrate'], { ESCALON_CONFIG_FILE: MISSING });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`invalid configuration:\n  - ESCALON_CONFIG_FILE: cannot read ${MISSING}: no such file\n`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('policy export --out and policy show --out into a missing directory', { timeout: 180_000 }, () => {
    expect(escalon(['policy', 'apply', POLICY]).status).toBe(0);
    for (const [cmd, args] of [
      ['policy export', ['policy', 'export', '--out', NO_DIR]],
      ['policy show', ['policy', 'show', '1', '--out', NO_DIR]],
    ] as const) {
      const r = escalon([...args]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`escalon ${cmd}: cannot write ${NO_DIR}: no such file\n`);
    }
  });
});
