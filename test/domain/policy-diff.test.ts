import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFAULT_ROOT_CAUSES } from '../../src/domain/policy/parse-root-causes.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { diffPolicies, summarizeChanges } from '../../src/domain/policy/policy-diff.ts';
import type { Policy } from '../../src/domain/policy/types.ts';

function doc(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    calendars: { always: { timezone: 'UTC', hours: '24x7' } },
    levels: [{ id: 'L1' }, { id: 'L2' }],
    teams: { front: { level: 'L1', members: ['a@x.io'] }, back: { level: 'L2', members: ['b@x.io'] } },
    sla: [{ id: 's', calendar: 'always', targets: { urgent: { first_response: '1h' } } }],
    rules: [{ id: 'r', on: 'ticket.created', do: [{ add_note: 'hello' }] }],
    ...extra,
  };
}

function parse(d: Record<string, unknown>): Policy {
  const r = parsePolicy(stringify(d));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.policy;
}

describe('policy root causes', () => {
  it('gives the default list when root_causes is left out', () => {
    expect(parse(doc()).rootCauses).toEqual(DEFAULT_ROOT_CAUSES);
  });

  it('reads ids and { id, name }, naming a bare id from its words', () => {
    const p = parse(doc({ root_causes: ['bad_release', { id: 'vendor', name: 'Vendor outage' }] }));
    expect(p.rootCauses).toEqual([
      { id: 'bad_release', name: 'Bad release' },
      { id: 'vendor', name: 'Vendor outage' },
    ]);
  });

  it('refuses duplicates, malformed ids, unknown keys and an empty list, each at its line', () => {
    const r = parsePolicy(stringify(doc({ root_causes: ['a', 'a', 'Not An Id', { id: 'b', colour: 'red' }] })));
    expect(r.ok).toBe(false);
    const messages = r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message} @${p.line}`);
    expect(messages.some((m) => m.startsWith('root_causes[1]: duplicate root-cause id "a"'))).toBe(true);
    expect(messages.some((m) => m.startsWith('root_causes[2]: root-cause id "Not An Id" must be'))).toBe(true);
    expect(messages.some((m) => m.startsWith('root_causes[3].colour: unknown field'))).toBe(true);
    expect(messages.every((m) => !m.endsWith('@undefined'))).toBe(true);
    const empty = parsePolicy(stringify(doc({ root_causes: [] })));
    expect(empty.ok).toBe(false);
  });
});

describe('diffPolicies', () => {
  it('lists levels, teams, SLA policies, rules, calendars and root causes added, removed and changed', () => {
    const before = parse(doc());
    const after = parse(
      doc({
        levels: [{ id: 'L1' }, { id: 'L2' }, { id: 'L3' }],
        teams: { front: { level: 'L1', members: ['a@x.io', 'c@x.io'] }, back: { level: 'L2', members: ['b@x.io'] }, top: { level: 'L3', members: ['t@x.io'] } },
        sla: [{ id: 's', calendar: 'always', targets: { urgent: { first_response: '2h' } } }],
        rules: [{ id: 'r2', on: 'ticket.created', do: [{ add_note: 'hi' }] }],
        root_causes: ['product_defect', 'other'],
      }),
    );
    const c = diffPolicies(before, after);
    expect(c.levels).toEqual({ added: ['L3'], removed: [], changed: [] });
    expect(c.teams).toEqual({ added: ['top'], removed: [], changed: ['front'] });
    expect(c.sla).toEqual({ added: [], removed: [], changed: ['s'] });
    expect(c.rules).toEqual({ added: ['r2'], removed: ['r'], changed: [] });
    expect(c.calendars).toEqual({ added: [], removed: [], changed: [] });
    expect(c.root_causes.removed).toContain('configuration');
    expect(summarizeChanges(c)).toMatch(/^levels \+1; teams \+1 ~1; sla ~1; rules \+1 −1; root_causes −6$/);
  });

  it('sees no change in a document reformatted with the same meaning', () => {
    const a = parse(doc());
    const b = parsePolicy(JSON.stringify(doc(), null, 4));
    if (!b.ok) throw new Error('valid');
    expect(summarizeChanges(diffPolicies(a, b.policy))).toBe('no change');
  });
});
