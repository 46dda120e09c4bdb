import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePolicyFile } from '../../src/cli/policy-validate.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { recipientWarnings } from '../../src/domain/policy/recipient-warnings.ts';
import type { Policy } from '../../src/domain/policy/types.ts';

const POLICY = `
version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels:
  - { id: L1, name: One }
  - { id: L2, name: Two }
  - { id: mgmt, name: Management }
teams:
  one: { level: L1, calendar: always, members: [a@x.com], lead: lead@x.com }
  two: { level: L2, calendar: always, members: [b@x.com] }
  boss: { level: mgmt, calendar: always, members: [] }
sla:
  - id: all
    calendar: always
    targets:
      urgent: { first_response: 1h }
rules:
  - id: leads
    on: ticket.created
    do:
      - notify: { to: team_lead, template: idle-reminder }
  - id: up
    on: ticket.updated
    do:
      - escalate: { to: { level: mgmt }, reason: other }
      - notify: { to: [team_manager, on_call, requester], template: idle-reminder }
  - id: fine
    on: ticket.updated
    do:
      - escalate: { to: { team: one }, reason: other }
      - notify: { to: team_lead, template: idle-reminder }
`;

function policy(): Policy {
  const r = parsePolicy(POLICY);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.policy;
}

describe('recipients that resolve to nobody are validation warnings', () => {
  it('names the rule, the role and the teams where nobody holds it; ticket roles are not judged', () => {
    expect(recipientWarnings(policy())).toEqual([
      { path: 'rules[0].do[0].notify.to[0]', message: expect.stringMatching(/^rule leads notifies team_lead, but teams two, boss have nobody in that role/) },
      { path: 'rules[1].do[1].notify.to[0]', message: expect.stringMatching(/^rule up notifies team_manager, but team boss has nobody/) },
      { path: 'rules[1].do[1].notify.to[1]', message: expect.stringMatching(/^rule up notifies on_call, but team boss has nobody .* \(add a rotation/) },
    ]);
  });

  it('people without an active staff account are warned about when the accounts are known', () => {
    const w = recipientWarnings(policy(), new Set(['a@x.com', 'b@x.com']));
    expect(w.filter((x) => x.message.includes('no active staff account')).map((x) => x.path)).toEqual(['teams.one.lead']);
  });

  it('`policy validate` prints the warnings (stderr) and still accepts the policy (exit 0)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'escalon-warn-')), 'p.yaml');
    writeFileSync(file, POLICY);
    const out: string[] = [];
    const err: string[] = [];
    expect(validatePolicyFile(file, (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^OK: /)]);
    expect(err).toHaveLength(3);
    expect(err[0]).toBe(`${file}: warning: rules[0].do[0].notify.to[0]: rule leads notifies team_lead, but teams two, boss have nobody in that role: a ticket there notifies no one (add a lead or another recipient)`);
  });
});

describe('SMS recipients in a policy', () => {
  const withTo = (to: string) => POLICY.replace('notify: { to: team_lead, template: idle-reminder }\n  - id: up', `notify: { to: ${to}, template: idle-reminder }\n  - id: up`);
  it.each([
    ['[{ sms: assignee }]', { kind: 'sms', role: 'assignee', phone: null }],
    ['[{ sms: "+1 555 000 1111" }]', { kind: 'sms', role: null, phone: '+15550001111' }],
  ])('%s is accepted', (to, expected) => {
    const r = parsePolicy(withTo(to));
    expect(r.ok && r.policy.rules[0]?.do[0]).toEqual({ kind: 'notify', to: [expected], template: 'idle-reminder' });
  });
  it('anything else is refused with what to write instead', () => {
    const r = parsePolicy(withTo('[{ sms: "call me" }]'));
    expect(!r.ok && r.problems.map((p) => p.message)).toEqual(['"call me" is neither a role (assignee, owner, team, team_lead, team_manager, on_call, requester) nor a phone number in international form (+15551234567)']);
  });
});
