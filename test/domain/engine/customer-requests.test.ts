// A customer's request for escalation as the policy's `customer_requests` section decides it:
// where it goes, and that further requests while one is open are recorded, not escalated.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/domain/policy/parse.ts';
import { comment, created, pick, REFERENCE_POLICY, simulate, t } from './harness.ts';

const ask = (at: string, why: string) => ({ at, type: 'ticket.escalated', ticket: 'T', reason: 'customer_request', documentation: { summary: why, steps_taken: '-', needs_attention: '-' } });
const ack = (at: string) => ({ at, type: 'escalation.acknowledged', ticket: 'T' });
const org = { organization: { id: 'acme', tier: 'enterprise' }, priority: 'low' };

describe('customer requests', () => {
  it('three requests seconds apart escalate once; the others are recorded with the reason and why', () => {
    const { out } = simulate(REFERENCE_POLICY, [
      created('T', t('10:00'), org),
      ask(t('10:01:00'), 'Payroll is blocked'),
      ask(t('10:01:05'), 'Still blocked'),
      ask(t('10:01:10'), 'Please!'),
    ], t('10:05'));
    const esc = pick(out, 'ticket.escalated');
    expect(esc.map((e) => [e.from_level, e.to_level, e.reason, e.comment, e.require_ack])).toEqual([['L1', 'L2', 'customer_request', 'Payroll is blocked', true]]);
    expect((esc[0]?.documentation as { summary: string }).summary).toBe('Payroll is blocked');
    const recorded = pick(out, 'escalation.request_recorded');
    expect(recorded.map((e) => [e.comment, e.why, e.level, e.previous_escalation_id])).toEqual([
      ['Still blocked', 'previous_request_unacknowledged', 'L2', 'T/e1'],
      ['Please!', 'previous_request_unacknowledged', 'L2', 'T/e1'],
    ]);
    expect(recorded[0]?.next_request_from).toBe(t('10:01', '2026-12-02'));
  });

  it('the policy says where a request goes and how often; an answered, acknowledged request lets the next one escalate', () => {
    const policy = `${REFERENCE_POLICY}\ncustomer_requests:\n  to: next_level\n  limit: 1h\n  require_acknowledgement: false\n`;
    const { out } = simulate(policy, [
      created('T', t('10:00'), org),
      ask(t('10:01'), 'one'),
      ask(t('10:10'), 'two'),
      comment('T', t('10:15'), 'agent', 'We are on it.'),
      ask(t('10:20'), 'three'),
      ask(t('10:25'), 'four'),
      ask(t('11:30'), 'five'),
    ], t('11:31'));
    expect(pick(out, 'ticket.escalated').map((e) => [e.comment, e.to_level])).toEqual([
      ['one', 'L2'],
      ['three', 'L3'],
      ['five', 'management'],
    ]);
    expect(pick(out, 'escalation.request_recorded').map((e) => [e.comment, e.why])).toEqual([
      ['two', 'previous_request_unanswered'],
      ['four', 'previous_request_unanswered'],
    ]);
  });

  it('a request goes where customer_requests.to says; at its target or the top, it is recorded, never refused', () => {
    const policy = `${REFERENCE_POLICY}\ncustomer_requests:\n  to: { level: management }\n  limit: 1h\n`;
    const { out } = simulate(policy, [created('T', t('10:00'), org), ask(t('10:01'), 'boss please'), ack(t('10:02')), comment('T', t('10:03'), 'agent', 'Hi'), ask(t('10:04'), 'again')], t('10:05'));
    expect(pick(out, 'ticket.escalated').map((e) => e.to_level)).toEqual(['management']);
    expect(pick(out, 'escalation.request_recorded').map((e) => [e.why, e.level])).toEqual([['already_there', 'management']]);
  });

  it('a bad customer_requests section is refused with every problem at its path', () => {
    const parsed = parsePolicy(`${REFERENCE_POLICY}\ncustomer_requests:\n  to: { level: L9 }\n  limit: soon\n  often: 2\n`);
    expect(parsed.ok).toBe(false);
    const paths = parsed.ok ? [] : parsed.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['customer_requests.to.level', 'customer_requests.limit', 'customer_requests.often']));
  });

  it('a team id with a comma is refused (the API lists several teams as team=a,b)', () => {
    const parsed = parsePolicy(REFERENCE_POLICY.replace('  billing:\n', '  "billing,refunds":\n'));
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.path)).toContain('teams.billing,refunds');
  });
});
