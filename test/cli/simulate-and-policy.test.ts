// `escalon simulate` and `escalon policy plan|apply|export` as a user runs them: child processes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const POLICY = join(EXAMPLES, 'escalon.policy.yaml');
const WORKLOAD = join(EXAMPLES, 'workload.example.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'escalon-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function escalon(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/escalon.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('escalon simulate', () => {
  it('writes the event log to --out and the summary to stderr', () => {
    const out = join(dir, 'out.jsonl');
    const r = escalon(['simulate', '--policy', POLICY, '--workload', WORKLOAD, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('simulated 1 tickets, 5 input events');
    expect(r.stderr).toContain('breaches: next_response 1, periodic_update 1, resolution 1');
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; at: string });
    expect(lines.filter((l) => l.type === 'ticket.escalated')).toHaveLength(4);
    expect(lines.at(-2)?.type).toBe('escalation.refused');
  });

  it('stops after the timers due at --until (inclusive)', () => {
    const r = escalon(['simulate', '--policy', POLICY, '--workload', WORKLOAD, '--until', '2026-12-01T15:00:00Z']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; at: string });
    expect(lines.at(-1)?.at.startsWith('2026-12-01T15:00:00')).toBe(true);
    expect(lines.some((l) => l.type === 'ticket.escalated' && l.at.startsWith('2026-12-01T15:00'))).toBe(true);
    expect(lines.every((l) => l.at <= '2026-12-01T15:00:00.000Z')).toBe(true);
  });

  it('refuses a bad workload whole, each bad line with its number and what is wrong', () => {
    const bad = join(dir, 'bad.jsonl');
    const good = readFileSync(WORKLOAD, 'utf8').trim().split('\n');
    writeFileSync(bad, [good[0], '{"at":"2026-12-01T10:01:00Z","type":"comment.added","ticket":"T1","author":"robot","public":true,"body":"x"}', 'not json', good[1], '{"at":"2026-12-01T10:30:00Z","type":"status.changed","ticket":"T1","status":"open","color":"red"}'].join('\n'));
    const r = escalon(['simulate', '--policy', POLICY, '--workload', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad\.jsonl:2: author: /);
    expect(r.stderr).toMatch(/bad\.jsonl:3: not valid JSON/);
    expect(r.stderr).toMatch(/bad\.jsonl:5: .*color/);
  });

  it('refuses a line the engine cannot apply, with its number', () => {
    const bad = join(dir, 'transition.jsonl');
    const good = readFileSync(WORKLOAD, 'utf8').trim().split('\n');
    writeFileSync(bad, [good[0], '{"at":"2026-12-01T10:05:00Z","type":"status.changed","ticket":"T1","status":"closed"}', '{"at":"2026-12-01T10:06:00Z","type":"status.changed","ticket":"T1","status":"open"}'].join('\n'));
    const r = escalon(['simulate', '--policy', POLICY, '--workload', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/transition\.jsonl:3: .*closed/);
  });
});

describe('escalon simulate with files that are not there', () => {
  it('says which file cannot be read or written, without a stack trace', () => {
    const missing = escalon(['simulate', '--policy', POLICY, '--workload', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`escalon simulate: cannot read workload ${join(dir, 'nope.jsonl')}: no such file\n`);
    const folder = escalon(['simulate', '--policy', POLICY, '--workload', dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toBe(`escalon simulate: cannot read workload ${dir}: it is a directory\n`);
    const policy = escalon(['simulate', '--policy', join(dir, 'nope.yaml'), '--workload', WORKLOAD]);
    expect(policy.stderr).toBe(`escalon simulate: cannot read policy ${join(dir, 'nope.yaml')}: no such file\n`);
    const out = escalon(['simulate', '--policy', POLICY, '--workload', WORKLOAD, '--out', join(dir, 'no-such-dir', 'out.jsonl')]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`escalon simulate: cannot write ${join(dir, 'no-such-dir', 'out.jsonl')}: no such file\n`);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('escalon policy plan | apply | export', () => {
  it('applies versions, plans without writing, refuses a broken document with its lines, exports what is in force', () => {
    const env = { ESCALON_DATABASE_URL: `sqlite:${join(dir, 'policy.db')}` };
    const none = escalon(['policy', 'export'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('NO_POLICY');
    const applied = escalon(['policy', 'apply', POLICY], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('applied version 1');
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, readFileSync(POLICY, 'utf8').replace('urgent: { first_response: 1h,', 'urgent: { first_response: 2h,'));
    const plan = escalon(['policy', 'plan', changed], env);
    expect(plan.stdout).toContain('would apply version 2');
    expect(plan.stdout).toContain('SLA policies changed: standard');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, readFileSync(POLICY, 'utf8').replace('calendar: emea-business', 'calendar: mars-business'));
    const refused = escalon(['policy', 'apply', broken], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/broken\.yaml:\d+: teams\.legal\.calendar: /);
    const exported = escalon(['policy', 'export'], env);
    expect(exported.stdout).toBe(readFileSync(POLICY, 'utf8'));
    expect(exported.stderr).toContain('policy version 1');
  });
});
