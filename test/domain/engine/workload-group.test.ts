// The workload's `group` (another system's assignment group, e.g. ServiceNow's): carried into
// the engine input, ignored by the engine; a `ticket.assigned` line that only changes the group
// changes nothing in a simulation.
import { describe, expect, it } from 'vitest';
import { parseWorkloadLine } from '../../../src/domain/workload.ts';
import { REFERENCE_POLICY, created, simulate, t } from './harness.ts';

const assigned = (at: string, assignee: string | null, extra: Record<string, unknown> = {}) => ({
  at,
  type: 'ticket.assigned',
  ticket: 'T',
  assignee,
  ...extra,
});

describe('workload `group`', () => {
  it('is read on ticket.created and ticket.assigned and carried into the engine input', () => {
    const c = parseWorkloadLine(JSON.stringify(created('T', t('09:00'), { group: 'Group 56' })), 1);
    expect(c.ok && c.value.input.type === 'ticket.created' && c.value.input.ticket.group).toBe('Group 56');
    const a = parseWorkloadLine(JSON.stringify(assigned(t('09:10'), 'Resolver 1', { group: 'Group 70' })), 2);
    expect(a.ok && a.value.input).toEqual({
      type: 'ticket.assigned',
      assignee: 'Resolver 1',
      team: undefined,
      group: 'Group 70',
    });
    const none = parseWorkloadLine(JSON.stringify(assigned(t('09:10'), 'Resolver 1')), 3);
    expect(none.ok && 'group' in none.value.input).toBe(false);
  });

  it.each([
    ['an empty group', { group: '' }, /group/],
    ['a group that is not text', { group: 7 }, /group/],
  ])('refuses %s', (_name, extra, message) => {
    const parsed = parseWorkloadLine(JSON.stringify(assigned(t('09:10'), 'Resolver 1', extra)), 4);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });

  it('is not recorded by the engine: the events and the state are those of the same lines without it', () => {
    const base = [
      created('T', t('09:00'), { assignee: 'Resolver 1' }),
      assigned(t('09:30'), 'Resolver 2'),
      { at: t('10:00'), type: 'status.changed', ticket: 'T', status: 'pending' },
    ];
    const withGroups = [
      created('T', t('09:00'), { assignee: 'Resolver 1', group: 'Group 1' }),
      assigned(t('09:10'), 'Resolver 1', { group: 'Group 2' }), // the group alone
      assigned(t('09:30'), 'Resolver 2', { group: 'Group 3' }), // a new assignee in a new group
      { at: t('10:00'), type: 'status.changed', ticket: 'T', status: 'pending' },
      assigned(t('10:05'), 'Resolver 2', { group: 'Group 4' }), // the group alone
    ];
    const plain = simulate(REFERENCE_POLICY, base, '2026-12-03T00:00:00Z');
    const grouped = simulate(REFERENCE_POLICY, withGroups, '2026-12-03T00:00:00Z');
    expect(grouped.out).toEqual(plain.out);
    expect(grouped.sim.state('T')).toEqual(plain.sim.state('T'));
    expect(JSON.stringify(grouped.out)).not.toContain('Group');
    expect(grouped.sim.stats.inputs).toBe(5);
  });

  it('a group change alone does not undo what the engine did since (an escalation that unassigned)', () => {
    const lines = [
      created('T', t('09:00'), { assignee: 'Resolver 1', group: 'Group 1' }),
      {
        at: t('09:30'),
        type: 'ticket.escalated',
        ticket: 'T',
        to_team: 'specialists',
        reason: 'technical_complexity',
      },
    ];
    const escalated = simulate(REFERENCE_POLICY, lines, t('12:00'));
    expect(escalated.sim.state('T')?.assignee).toBeNull();

    const groupAlone = simulate(
      REFERENCE_POLICY,
      [...lines, assigned(t('10:00'), 'Resolver 1', { group: 'Group 9' })],
      t('12:00'),
    );
    expect(groupAlone.out).toEqual(escalated.out);
    expect(groupAlone.sim.state('T')).toEqual(escalated.sim.state('T'));

    // Without `group`, naming the assignee again is an assignment, as it always was.
    const again = simulate(REFERENCE_POLICY, [...lines, assigned(t('10:00'), 'Resolver 1')], t('12:00'));
    expect(again.out.filter((o) => o.type === 'ticket.assigned' && o.at === t('10:00'))).toHaveLength(1);
    expect(again.sim.state('T')?.assignee).toBe('Resolver 1');
  });

  it('a line with a group and another assignee than the last one named is an assignment', () => {
    const lines = [
      created('T', t('09:00'), { group: 'Group 1' }),
      assigned(t('09:10'), 'Resolver 4', { group: 'Group 2' }),
    ];
    const { out, sim } = simulate(REFERENCE_POLICY, lines, t('12:00'));
    expect(out.filter((o) => o.type === 'ticket.assigned').map((o) => [o.assignee, o.previous])).toEqual([
      ['Resolver 4', null],
    ]);
    expect(sim.state('T')?.assignee).toBe('Resolver 4');
  });

  it('a group line for a ticket not created yet is still refused', () => {
    expect(() => simulate(REFERENCE_POLICY, [assigned(t('09:10'), null, { group: 'Group 2' })])).toThrow(
      /has not been created yet/,
    );
  });
});
