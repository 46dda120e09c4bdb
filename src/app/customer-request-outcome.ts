/**
 * What a customer is told after asking for escalation: read from what the engine actually did
 * (the committed events), in the customer's terms — the level's name from the policy, never a
 * team id or a rule.
 */
import type { Policy } from '../domain/policy/types.ts';
import type { StoredEvent } from '../store/events-repo.ts';

export interface CustomerRequestOutcome {
  /** `escalated`: the ticket moved; `recorded`: the request was added to the ticket, which stays where it is. */
  outcome: 'escalated' | 'recorded';
  level: string | null;
  level_name: string | null;
  message: string;
  /** When a further request may escalate again (a request was recorded because an earlier one is still open). */
  next_request_from: string | null;
}

export function customerRequestOutcome(events: readonly StoredEvent[], policy: Policy | null): CustomerRequestOutcome {
  const nameOf = (level: unknown) => {
    const id = typeof level === 'string' ? level : null;
    return { level: id, level_name: policy?.levels.find((l) => l.id === id)?.name ?? id };
  };
  const moved = events.find((e) => e.type === 'ticket.escalated');
  if (moved) {
    const where = nameOf(moved.payload.to_level);
    return {
      outcome: 'escalated',
      ...where,
      message: `Your request was passed on to ${where.level_name ?? 'the next level'}${moved.payload.require_ack === true ? ', who will confirm they have your ticket' : ''}.`,
      next_request_from: null,
    };
  }
  const recorded = events.find((e) => e.type === 'escalation.request_recorded');
  const where = nameOf(recorded?.payload.level);
  const team = where.level_name ?? 'our team';
  const why = recorded?.payload.why;
  const message =
    why === 'nowhere_higher'
      ? `Your ticket is already with ${team}, our highest level; we have added your request to it.`
      : why === 'already_there'
        ? `Your ticket is already with ${team}; we have added your request to it.`
        : `Your earlier request is still with ${team}, who will answer you; we have added this one to it.`;
  const next = recorded?.payload.next_request_from;
  return { outcome: 'recorded', ...where, message, next_request_from: typeof next === 'string' ? next : null };
}
