// DOMAIN.md §4 and §8.5–§8.8, §8.10: rules, escalation decisions and assignment, named.
import { describe, expect, it } from 'vitest';
import { comment, created, pick, REFERENCE_POLICY, simulate, status, t } from './harness.ts';

const standardOrg = { id: 'globex', tier: 'standard' };

describe('reference policy rules', () => {
  it('legal keywords route to the legal team, raise the priority and notify the team (legal-risk)', () => {
    const { out } = simulate(REFERENCE_POLICY, [
      created('T', t('15:00'), { priority: 'normal', organization: standardOrg, body: 'Our lawyer will contact you about GDPR.' }),
    ], t('15:01'));
    const esc = pick(out, 'ticket.escalated');
    expect(esc.map((e) => [e.to_team, e.to_level, e.reason, e.rule])).toEqual([['legal', 'L2', 'legal_compliance', 'legal-risk']]);
    expect(pick(out, 'priority.changed').map((e) => e.priority)).toEqual(['high']);
    expect(pick(out, 'notification.queued', { rule: 'legal-risk' })[0]?.to).toEqual(['lea@example.com']);
  });

  it('the first escalation in a cascade wins; later ones are recorded as skipped (§8.6)', () => {
    const { out } = simulate(REFERENCE_POLICY, [
      created('T', t('15:00'), { priority: 'normal', organization: standardOrg, body: 'Lawsuit over the refund you owe us.' }),
    ], t('15:01'));
    expect(pick(out, 'ticket.escalated').map((e) => e.rule)).toEqual(['legal-risk']);
    expect(pick(out, 'escalation.skipped').map((e) => e.rule)).toEqual(['billing-dispute']);
  });

  it('a comment can trigger an escalation (comment.added with the comment text alone)', () => {
    const { out } = simulate(REFERENCE_POLICY, [
      created('T', t('15:00'), { priority: 'normal', organization: { id: 'p', tier: 'premium' } }),
      comment('T', t('15:10'), 'customer', 'We will cancel our subscription if this goes on.'),
    ], t('15:11'));
    expect(pick(out, 'ticket.escalated').map((e) => [e.to_level, e.rule, e.reason])).toEqual([
      ['management', 'cancellation-risk-high-value', 'financial_high_value'],
    ]);
  });

  it('records why: the rule, its trigger, the values its conditions saw and the policy version', () => {
    const { out } = simulate(REFERENCE_POLICY, [
      created('T', t('15:00'), { priority: 'normal', organization: standardOrg, category: 'billing' }),
    ]);
    const esc = pick(out, 'ticket.escalated')[0];
    expect(esc?.to_team).toBe('billing');
    const why = esc?.explanation as { rule: string; trigger: string; policy_version: number; conditions: Array<Record<string, unknown>> };
    expect(why.rule).toBe('billing-dispute');
    expect(why.trigger).toBe('ticket.created');
    expect(why.policy_version).toBe(1);
    expect(why.conditions.find((c) => c.field === 'category')).toMatchObject({ actual: 'billing', matched: true });
  });

  it('ping-pong: more than 3 reassignments give the ticket to the team lead, with a note', () => {
    const lines = [created('T', t('10:00'), { organization: standardOrg, priority: 'low' })];
    const agents = ['ana@example.com', 'ben@example.com', 'chen@example.com', 'ana@example.com', 'ben@example.com'];
    agents.forEach((a, i) => lines.push({ at: t(`10:0${i + 1}`), type: 'ticket.assigned', ticket: 'T', assignee: a } as never));
    const { out } = simulate(REFERENCE_POLICY, lines);
    const assigned = pick(out, 'ticket.assigned');
    expect(assigned.at(-1)).toMatchObject({ assignee: 'lina@example.com', rule: 'ping-pong', at: t('10:05') });
    expect(pick(out, 'comment.added', { author_role: 'rule', public: false })).toHaveLength(1);
  });
});

const LADDER = `
version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels:
  - { id: L1, name: One }
  - { id: L2, name: Two }
  - { id: L3, name: Three }
teams:
  one: { level: L1, calendar: always, members: [a1@x.com, a2@x.com, a3@x.com], lead: lead1@x.com, manager: boss@x.com }
  one-b: { level: L1, kind: functional, calendar: always, members: [b1@x.com], skills: [vip] }
  two: { level: L2, calendar: always, members: [t1@x.com], lead: lead2@x.com }
  three:
    level: L3
    calendar: always
    members: [e1@x.com, e2@x.com]
    on_call: { rotation: [e1@x.com, e2@x.com], handover: "mon 09:00", start: 2026-11-02 }
sla:
  - id: all
    calendar: always
    targets:
      urgent: { first_response: 1h }
rules:
  - id: to-l2-on-tag
    on: ticket.updated
    if: { tags: { includes: up } }
    do:
      - escalate: { to: next_level, reason: technical_complexity }
      - require_acknowledgement: true
  - id: again
    on: { unacknowledged: 20m }
    do:
      - escalate: { to: next_level, reason: sla_risk }
  - id: down-is-noop
    on: ticket.updated
    if: { tags: { includes: noop } }
    do:
      - escalate: { to: { level: L1 }, reason: other }
  - id: vip
    on: ticket.updated
    if: { tags: { includes: vip } }
    do:
      - escalate: { to: { skill: vip }, reason: financial_high_value }
  - id: bump
    on: priority.changed
    do:
      - set: { priority: low }
  - id: rr
    on: ticket.updated
    if: { tags: { includes: rr } }
    do:
      - assign: round_robin
  - id: oncall
    on: ticket.escalated
    if: { level: L3 }
    do:
      - assign: on_call
      - notify: { to: [on_call, requester, team_lead], template: sla-breach-internal }
  - id: idle
    on: { idle: 1h }
    do:
      - notify: { to: team_lead, template: idle-reminder }
`;
const tag = (at: string, ...tags: string[]) => ({ at, type: 'ticket.updated', ticket: 'T', tags });

describe('escalation decisions', () => {
  it('an unacknowledged escalation escalates again after the delay; the chain continues until acknowledged', () => {
    const { out } = simulate(LADDER, [created('T', t('10:00')), tag(t('10:05'), 'up')], t('12:00'));
    expect(pick(out, 'ticket.escalated').map((e) => [e.at, e.to_team, e.rule])).toEqual([
      [t('10:05'), 'two', 'to-l2-on-tag'],
      [t('10:25'), 'three', 'again'],
    ]);
    expect(pick(out, 'escalation.refused').map((e) => [e.at, e.rule])).toEqual([[t('10:45'), 'again']]);
  });

  it('acknowledging stops the chain', () => {
    const { out } = simulate(LADDER, [
      created('T', t('10:00')),
      tag(t('10:05'), 'up'),
      { at: t('10:15'), type: 'escalation.acknowledged', ticket: 'T' },
    ]);
    expect(pick(out, 'ticket.escalated')).toHaveLength(1);
    expect(pick(out, 'escalation.acknowledged')[0]?.escalation_id).toBe('T/e1');
  });

  it('an automatic escalation to a level at or below the current one changes nothing and emits nothing', () => {
    const { out } = simulate(LADDER, [created('T', t('10:00')), tag(t('10:05'), 'noop')]);
    expect(pick(out, 'ticket.escalated')).toEqual([]);
    expect(pick(out, 'escalation.refused')).toEqual([]);
    expect(pick(out, 'escalation.skipped')).toEqual([]);
  });

  it('a move to another team on the same level is a functional escalation and happens (skill target)', () => {
    const { out } = simulate(LADDER, [created('T', t('10:00')), tag(t('10:05'), 'vip')]);
    expect(pick(out, 'ticket.escalated').map((e) => [e.to_team, e.to_level, e.kind])).toEqual([['one-b', 'L1', 'functional']]);
  });

  it('escalating past the top level is refused and recorded', () => {
    const { out } = simulate(LADDER, [
      created('T', t('10:00'), { team: 'three' }),
      { at: t('10:01'), type: 'ticket.escalated', ticket: 'T', reason: 'other', to_team: 'two' },
      tag(t('10:02'), 'up'),
      tag(t('10:03'), 'up', 'x'),
    ], t('10:04'));
    // to-l2-on-tag moves two → three; the next occurrence is refused at the top.
    expect(pick(out, 'escalation.refused').map((e) => [e.at, e.rule])).toEqual([[t('10:03'), 'to-l2-on-tag']]);
  });

  it('a rule runs at most once per trigger occurrence and what it causes (no loops)', () => {
    const { out } = simulate(LADDER, [created('T', t('10:00')), { at: t('10:01'), type: 'priority.changed', ticket: 'T', priority: 'high' }]);
    // bump sets low, which is a priority.changed of its own: bump must not run on it again.
    expect(pick(out, 'priority.changed').map((e) => e.priority)).toEqual(['high', 'low']);
  });

  it('manual escalation carries its documentation; a customer can request escalation; de-escalation needs a reason', () => {
    const doc = { summary: 'Checkout fails', steps_taken: 'Restarted the worker', needs_attention: 'DB locks' };
    const { out } = simulate(LADDER, [
      created('T', t('10:00')),
      { at: t('10:01'), type: 'ticket.escalated', ticket: 'T', reason: 'technical_complexity', to_level: 'L2', documentation: doc },
      { at: t('10:02'), type: 'ticket.escalated', ticket: 'T', reason: 'customer_request' },
      { at: t('10:03'), type: 'ticket.deescalated', ticket: 'T', reason: 'workaround found' },
    ]);
    const esc = pick(out, 'ticket.escalated');
    expect(esc.map((e) => [e.to_level, e.reason, e.rule])).toEqual([
      ['L2', 'technical_complexity', undefined],
      ['L3', 'customer_request', undefined],
    ]);
    expect(esc[0]?.documentation).toEqual(doc);
    expect(pick(out, 'ticket.deescalated').map((e) => [e.to_level, e.reason])).toEqual([['L2', 'workaround found']]);
  });

  it('acknowledging with nothing pending is refused', () => {
    expect(() => simulate(LADDER, [created('T', t('10:00')), { at: t('10:01'), type: 'escalation.acknowledged', ticket: 'T' }])).toThrow(
      /nothing_to_acknowledge/,
    );
  });
});

describe('assignment and notification', () => {
  it('round robin cycles through the team members across tickets', () => {
    const lines = ['A', 'B', 'C', 'D'].flatMap((ref, i) => [
      created(ref, t(`10:0${i}`)),
      { at: t(`10:0${i}`), type: 'ticket.updated', ticket: ref, tags: ['rr'] },
    ]);
    const { out } = simulate(LADDER, lines);
    expect(pick(out, 'ticket.assigned').map((e) => e.assignee)).toEqual(['a1@x.com', 'a2@x.com', 'a3@x.com', 'a1@x.com']);
  });

  it('on call follows the weekly rotation from the first handover (§8.10); an empty role is skipped and recorded', () => {
    // Rotation starts Monday 2026-11-02 09:00 UTC: e1 that week, e2 the next, … 2026-12-01 is in week 4 → e1.
    // Monday 2026-11-30 08:59 is still week 3 → e2.
    const run = (at: string) =>
      simulate(LADDER, [created('T', at), { at, type: 'ticket.escalated', ticket: 'T', reason: 'other', to_level: 'L3' }], at).out;
    expect(pick(run(t('10:00')), 'ticket.assigned')[0]?.assignee).toBe('e1@x.com');
    const before = run('2026-11-30T08:59:00Z');
    expect(pick(before, 'ticket.assigned')[0]?.assignee).toBe('e2@x.com');
    expect(pick(run('2026-10-01T10:00:00Z'), 'ticket.assigned')[0]?.assignee).toBe('e1@x.com');
    const skipped = pick(before, 'notification.skipped').map((e) => e.recipient);
    expect(skipped).toEqual(['requester', 'team_lead']);
  });

  it('idle fires once per quiet period, counted from the last public comment; a public comment starts a new period', () => {
    const { out } = simulate(
      LADDER,
      [created('T', t('10:00')), comment('T', t('10:30'), 'agent'), comment('T', t('10:45'), 'agent', 'internal', false)],
      t('15:00'),
    );
    expect(pick(out, 'notification.queued', { rule: 'idle' }).map((e) => e.at)).toEqual([t('11:30')]);
  });

  it('solving cancels idle and acknowledgement timers', () => {
    const { out } = simulate(LADDER, [created('T', t('10:00')), tag(t('10:05'), 'up'), status('T', t('10:10'), 'solved')], t('15:00'));
    expect(pick(out, 'ticket.escalated')).toHaveLength(1);
    expect(pick(out, 'notification.queued', { rule: 'idle' })).toEqual([]);
  });
});
