// DOMAIN.md §1 "team move, bounce", §4 ping-pong guard, §7 bounce rate: counted alike by the
// engine (the state, the conditions) and by reporting (the facts derived from the events).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeKpis, isBouncing } from '../../../src/domain/reporting/kpis.ts';
import { deriveTicketRollup } from '../../../src/domain/reporting/ticket-facts.ts';
import { created, pick, simulate, t, type Out } from './harness.ts';

const PRODUCT_POLICY = readFileSync(new URL('../../../policies/reference.policy.yaml', import.meta.url), 'utf8');
const standardOrg = { id: 'globex', tier: 'standard' };

/** A → B → A → B: frontline → specialists → frontline → specialists. */
function abab(ticket = 'T') {
  return [
    created(ticket, t('10:00'), { organization: standardOrg, priority: 'low' }),
    { at: t('10:10'), type: 'ticket.escalated', ticket, to_team: 'specialists', reason: 'technical_complexity' },
    { at: t('10:20'), type: 'ticket.deescalated', ticket, to_team: 'frontline', reason: 'needs the customer first' },
    { at: t('10:30'), type: 'ticket.escalated', ticket, to_team: 'specialists', reason: 'technical_complexity' },
  ];
}

const reportEvents = (out: Out[]) => out.map((o) => ({ at: Date.parse(o.at), type: o.type, payload: o as Record<string, unknown> }));

describe('team moves and bounces', () => {
  it('A → B → A → B is 3 team moves and 2 bounces, in the state, on the move events and in the facts', () => {
    const { out, sim } = simulate(PRODUCT_POLICY, abab(), t('10:31'));
    expect(sim.state('T')).toMatchObject({ team: 'specialists', teamMoves: 3, bounces: 2, teamsLeft: ['frontline', 'specialists'] });
    const moves = out.filter((o) => o.type === 'ticket.escalated' || o.type === 'ticket.deescalated');
    expect(moves.map((m) => [m.to_team, m.team_moves, m.bounces])).toEqual([
      ['specialists', 1, 0],
      ['frontline', 2, 1],
      ['specialists', 3, 2],
    ]);
    expect(pick(out, 'ticket.bounced').map((b) => [b.at, b.from_team, b.to_team, b.bounces])).toEqual([
      [t('10:20'), 'specialists', 'frontline', 1],
      [t('10:30'), 'frontline', 'specialists', 2],
    ]);
    const rollup = deriveTicketRollup('T', reportEvents(out));
    expect(rollup?.facts).toMatchObject({ teamMoves: 3, bounces: 2 });
    expect(rollup && isBouncing(rollup.facts)).toBe(true);
  });

  it('A → B → C is 2 team moves and no bounce; a move to the same team is none', () => {
    const { out, sim } = simulate(PRODUCT_POLICY, [
      created('T', t('10:00'), { organization: standardOrg, priority: 'low' }),
      { at: t('10:10'), type: 'ticket.escalated', ticket: 'T', to_team: 'specialists', reason: 'technical_complexity' },
      { at: t('10:20'), type: 'ticket.assigned', ticket: 'T', assignee: 'sam@example.com', team: 'specialists' },
      { at: t('10:30'), type: 'ticket.escalated', ticket: 'T', to_team: 'engineering', reason: 'technical_complexity' },
    ], t('10:31'));
    expect(sim.state('T')).toMatchObject({ teamMoves: 2, bounces: 0 });
    expect(pick(out, 'ticket.bounced')).toEqual([]);
    expect(deriveTicketRollup('T', reportEvents(out))?.facts).toMatchObject({ teamMoves: 2, bounces: 0 });
  });

  it('a transfer by assignment counts as a team move, and back is a bounce', () => {
    const { out, sim } = simulate(PRODUCT_POLICY, [
      created('T', t('10:00'), { organization: standardOrg, priority: 'low' }),
      { at: t('10:10'), type: 'ticket.assigned', ticket: 'T', assignee: 'bea@example.com', team: 'billing' },
      { at: t('10:20'), type: 'ticket.assigned', ticket: 'T', assignee: 'ana@example.com', team: 'frontline' },
    ], t('10:21'));
    expect(sim.state('T')).toMatchObject({ teamMoves: 2, bounces: 1 });
    expect(deriveTicketRollup('T', reportEvents(out))?.facts).toMatchObject({ teamMoves: 2, bounces: 1 });
  });

  it("the product's reference policy tells the lead of the team a ticket bounced back to (bounce-tells-lead)", () => {
    const { out } = simulate(PRODUCT_POLICY, abab(), t('10:31'));
    const told = pick(out, 'notification.queued', { rule: 'bounce-tells-lead' });
    expect(told.map((n) => [n.at, n.to, n.template])).toEqual([
      [t('10:20'), ['lina@example.com'], 'ticket-bounced-internal'],
      [t('10:30'), ['lina@example.com'], 'ticket-bounced-internal'],
    ]);
  });

  it('conditions read team_moves and bounces as the engine counts them at that moment', () => {
    const policy = PRODUCT_POLICY.replace(
      '  - id: bounce-tells-lead',
      `  - id: second-bounce-raises-priority
    on: ticket.bounced
    if: { all: [ { bounces: { gte: 2 } }, { team_moves: 3 } ] }
    do:
      - set: { priority: high }

  - id: bounce-tells-lead`,
    );
    const { out } = simulate(policy, abab(), t('10:31'));
    // At 10:20 the ticket had 1 bounce and 2 moves; at 10:30, 2 and 3.
    expect(pick(out, 'priority.changed').map((e) => [e.at, e.priority])).toEqual([[t('10:30'), 'high']]);
  });

  it('bounce rate (§7): tickets with a bounce or more than two reassignments, over the created tickets', () => {
    const bounced = simulate(PRODUCT_POLICY, abab('B'), t('10:31')).out;
    const reassigned = simulate(PRODUCT_POLICY, [
      created('R', t('10:00'), { organization: standardOrg, priority: 'low' }),
      ...['ana', 'ben', 'chen', 'ana'].map((a, i) => ({ at: t(`10:1${i}`), type: 'ticket.assigned', ticket: 'R', assignee: `${a}@example.com` })),
    ], t('10:31')).out;
    const quiet = simulate(PRODUCT_POLICY, [created('Q', t('10:00'), { organization: standardOrg, priority: 'low' })], t('10:31')).out;
    const rollups = [deriveTicketRollup('B', reportEvents(bounced)), deriveTicketRollup('R', reportEvents(reassigned)), deriveTicketRollup('Q', reportEvents(quiet))];
    const facts = rollups.flatMap((r) => (r ? [r.facts] : []));
    expect(facts.map((f) => [f.ticketId, f.bounces, f.reassignments])).toEqual([['B', 2, 0], ['R', 0, 3], ['Q', 0, 0]]);
    const report = computeKpis(facts, rollups.flatMap((r) => r?.stints ?? []), {
      from: Date.parse(t('00:00')),
      to: Date.parse(t('23:59')),
      timeZone: 'UTC',
      asOf: Date.parse(t('23:59')),
      filters: {},
      firstLevel: 'L1',
    });
    expect(report.bounceRate).toEqual({ numerator: 2, denominator: 3, rate: 2 / 3 });
  });
});
