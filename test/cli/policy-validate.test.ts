import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../examples/escalon.policy.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'escalon-policy-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function escalon(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/escalon.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('escalon policy validate', () => {
  it('accepts the reference policy and counts what it defines', () => {
    const r = escalon('policy', 'validate', REFERENCE);
    expect(r).toMatchObject({ code: 0, stdout: 'OK: 5 levels, 7 teams, 2 SLA policies, 8 rules\n' });
  });

  it('accepts the reference policy written as JSON', () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(parseYaml(readFileSync(REFERENCE, 'utf8')), null, 2));
    expect(escalon('policy', 'validate', file)).toMatchObject({ code: 0, stdout: 'OK: 5 levels, 7 teams, 2 SLA policies, 8 rules\n' });
  });

  it('prints every problem as FILE:LINE: path: message and exits 1', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'levels:',
        '  - { id: L1 }',
        'teams:',
        '  front: { level: L1, calendar: office }',
        'rules:',
        '  - id: r',
        '    on: ticket.created',
        '    do:',
        '      - escalate: { to: { team: legal }, reason: legal_compliance }',
        '      - notify: { to: team, template: nope }',
        '',
      ].join('\n'),
    );
    const r = escalon('policy', 'validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `${file}:5: teams.front.calendar: unknown calendar "office"; the calendars are: (none defined)`,
      `${file}:10: rules[0].do[0].escalate.to.team: unknown team "legal"; known: front`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11: rules\\[0\\]\\.do\\[1\\]\\.notify\\.template: unknown template "nope"`)),
    ]);
    expect(r.stderr).toMatch(/3 problems in .*broken\.yaml; the policy was not accepted/);
  });

  it('reports a YAML syntax error with its line', () => {
    const file = join(dir, 'syntax.yaml');
    writeFileSync(file, 'version: 1\nlevels: [L1\n');
    const r = escalon('policy', 'validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: \\(document\\): YAML syntax: `));
  });

  it('says clearly when the file is missing or unreadable, and exits 2', () => {
    const missing = join(dir, 'missing.yaml');
    expect(escalon('policy', 'validate', missing)).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `escalon policy validate: cannot read ${missing}: no such file\n`,
    });
    expect(escalon('policy', 'validate', dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/it is a directory/) });
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.yaml');
      writeFileSync(locked, 'version: 1\n');
      chmodSync(locked, 0o000);
      expect(escalon('policy', 'validate', locked)).toMatchObject({ code: 2, stderr: expect.stringMatching(/permission denied/) });
    }
  });

  it('needs a file argument', () => {
    const r = escalon('policy', 'validate');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/missing required argument 'file'/);
  });
});
