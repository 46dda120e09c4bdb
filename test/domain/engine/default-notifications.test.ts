// A person's escalation, a customer's request and an acknowledgement tell the receiving team
// without any rule: its lead in its hours, its on-call person outside them.
import { describe, expect, it } from 'vitest';
import { created, pick, REFERENCE_POLICY, simulate, t } from './harness.ts';

const org = { id: 'globex', tier: 'standard' };
const doc = { summary: 's', steps_taken: 'st', needs_attention: 'na' };
const escalate = (at: string, fields: Record<string, unknown>) => ({ at, type: 'ticket.escalated', ticket: 'T', ...fields });

describe('default notifications of the receiving team', () => {
  it('a manual escalation during the team calendar hours notifies its lead (escalation-manual)', () => {
    // 15:00 UTC on a Tuesday is 10:00 in New York: specialists are open.
    const { out } = simulate(REFERENCE_POLICY, [created('T', t('14:50'), { priority: 'low', organization: org }), escalate(t('15:00'), { to_team: 'specialists', reason: 'technical_complexity', documentation: doc })], t('15:01'));
    expect(pick(out, 'notification.queued', { template: 'escalation-manual' })).toMatchObject([{ at: t('15:00'), to: ['lina@example.com'], recipient: 'team_lead', default: true, audience: 'internal' }]);
  });

  it("outside the team calendar hours it notifies the team's own on-call person", () => {
    // Specialists with a rotation of their own; 23:30 UTC is 18:30 in New York: they are closed.
    const members = '    members: [sam@example.com, sofia@example.com]\n';
    expect(REFERENCE_POLICY).toContain(members);
    const policy = REFERENCE_POLICY.replace(members, `${members}    on_call: { rotation: [sofia@example.com], handover: mon 09:00, start: 2026-01-05 }\n`);
    const { out } = simulate(policy, [created('T', t('23:20'), { priority: 'low', organization: org }), escalate(t('23:30'), { to_team: 'specialists', reason: 'technical_complexity', documentation: doc })], t('23:31'));
    expect(pick(out, 'notification.queued', { template: 'escalation-manual' })).toMatchObject([{ to: ['sofia@example.com'], recipient: 'on_call' }]);
  });

  it('a closed team without a rotation of its own is told through its lead, never through another team’s on-call person', () => {
    // Specialists keep no rotation; engineering's on-call person does not acknowledge for them.
    const { out } = simulate(REFERENCE_POLICY, [created('T', t('23:20'), { priority: 'low', organization: org }), escalate(t('23:30'), { to_team: 'specialists', reason: 'technical_complexity', documentation: doc })], t('23:31'));
    expect(pick(out, 'notification.queued', { template: 'escalation-manual' })).toMatchObject([{ to: ['lina@example.com'], recipient: 'team_lead' }]);
  });

  it("a customer's escalation request uses its own template", () => {
    const { out } = simulate(REFERENCE_POLICY, [created('T', t('14:50'), { priority: 'low', organization: org }), escalate(t('15:00'), { reason: 'customer_request' })], t('15:01'));
    expect(pick(out, 'notification.queued', { template: 'customer-escalation-request' })).toHaveLength(1);
    expect(pick(out, 'notification.queued', { template: 'escalation-manual' })).toHaveLength(0);
  });

  it('an acknowledgement tells whoever waits to hear: for a rule’s escalation, the ticket’s owner (escalation-acknowledged)', () => {
    const policy = `
version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels:
  - { id: L1, name: One }
  - { id: L2, name: Two }
teams:
  one: { level: L1, calendar: always, members: [a1@x.com], lead: lead1@x.com }
  two: { level: L2, calendar: always, members: [t1@x.com], lead: lead2@x.com }
sla:
  - id: all
    calendar: always
    targets:
      urgent: { first_response: 1h }
rules:
  - id: up
    on: ticket.updated
    do:
      - escalate: { to: next_level, reason: technical_complexity }
      - require_acknowledgement: true
`;
    const { out } = simulate(policy, [
      created('T', t('10:00'), { assignee: 'a1@x.com' }),
      { at: t('10:05'), type: 'ticket.updated', ticket: 'T', tags: ['x'] },
      { at: t('10:10'), type: 'escalation.acknowledged', ticket: 'T' },
    ], t('10:11'));
    // a1 owns the ticket (first assigned) although the escalation took it to team two
    expect(pick(out, 'notification.queued', { template: 'escalation-acknowledged' })).toMatchObject([{ at: t('10:10'), to: ['a1@x.com'], recipient: 'owner', default: true }]);
    expect(pick(out, 'notification.queued', { template: 'escalation-manual' })).toEqual([]); // the rule's escalation is not a person's
  });

  it('rule escalations keep notifying only as their rules say', () => {
    const { out } = simulate(REFERENCE_POLICY, [created('T', t('15:00'), { priority: 'normal', organization: org, body: 'Our lawyer will contact you about GDPR.' })], t('15:01'));
    expect(pick(out, 'notification.queued').filter((e) => e.default === true)).toEqual([]);
  });

  it('team_manager of a team without a manager (a management team) is its lead, else its members: the high-value alert reaches someone', () => {
    const { out } = simulate(REFERENCE_POLICY, [created('T', t('15:00'), { priority: 'normal', organization: { id: 'p', tier: 'premium' }, body: 'We are switching to another provider, cancel the contract.' })], t('15:01'));
    expect(pick(out, 'ticket.escalated').map((e) => e.to_team)).toEqual(['support-management']);
    const alert = pick(out, 'notification.queued', { rule: 'cancellation-risk-high-value' });
    expect(alert.flatMap((e) => e.to as string[])).toEqual(['marc@example.com']);
  });
});

describe('a receiving team with nobody in charge', () => {
  it('a manual escalation to the management team (no lead, manager or rotation) notifies its members', () => {
    const org = { id: 'globex', tier: 'standard' };
    const { out } = simulate(REFERENCE_POLICY, [
      created('T', t('14:50'), { priority: 'low', organization: org }),
      { at: t('15:00'), type: 'ticket.escalated', ticket: 'T', to_team: 'support-management', reason: 'other', documentation: { summary: 's', steps_taken: 'st', needs_attention: 'na' } },
    ], t('15:01'));
    expect(pick(out, 'notification.queued', { template: 'escalation-manual' })).toMatchObject([{ to: ['marc@example.com'], recipient: 'team' }]);
  });
});
