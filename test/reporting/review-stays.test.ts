import { describe, expect, it } from 'vitest';
import { buildReview, type ReviewEvent } from '../../src/domain/reporting/review.ts';
import { deriveTicketRollup } from '../../src/domain/reporting/ticket-facts.ts';

const H = 3_600_000;
const ev = (at: number, type: string, payload: Record<string, unknown> = {}): ReviewEvent => ({ at: at * H, type, payload, actor: 'user:u' });

describe('the review of a solved ticket', () => {
  const events = [
    ev(0, 'ticket.created', { team: 'front', level: 'L1' }),
    ev(1, 'status.changed', { from: 'new', to: 'open' }),
    ev(2, 'ticket.escalated', { from_team: 'front', from_level: 'L1', to_team: 'back', to_level: 'L2', reason: 'sla_risk' }),
    ev(5, 'status.changed', { from: 'open', to: 'solved' }),
  ];

  it('ends the last team and level stays at the solve, the earlier ones where the ticket moved', () => {
    const r = buildReview('t', events, 10 * H);
    expect(r?.stays.map((s) => [s.kind, s.key, s.leftAt, s.ended, s.heldMs])).toEqual([
      ['team', 'front', 2 * H, 'moved', 2 * H],
      ['level', 'L1', 2 * H, 'moved', 2 * H],
      ['team', 'back', 5 * H, 'solved', 3 * H],
      ['level', 'L2', 5 * H, 'solved', 3 * H],
    ]);
  });

  it('keeps a reopened ticket\'s stay open (the stints themselves are untouched by the review)', () => {
    const reopened = [...events, ev(6, 'status.changed', { from: 'solved', to: 'open' })];
    const r = buildReview('t', reopened, 10 * H);
    expect(r?.stays.filter((s) => s.ended === 'open').map((s) => s.key)).toEqual(['back', 'L2']);
    expect(deriveTicketRollup('t', events)?.stints.filter((s) => s.leftAt === null)).toHaveLength(2);
  });

  it('takes the root cause of the latest review into the ticket facts', () => {
    const reviewed = [...events, ev(7, 'review.recorded', { root_cause: 'vendor' }), ev(8, 'review.recorded', { root_cause: 'bad_release' })];
    expect(deriveTicketRollup('t', reviewed)?.facts.rootCause).toBe('bad_release');
    expect(deriveTicketRollup('t', events)?.facts.rootCause).toBeNull();
  });
});
