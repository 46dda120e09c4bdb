/**
 * A customer's request for escalation (the contract (docs/contract.md) §4, reason `customer_request`). The policy's
 * `customer_requests` section says where it goes and how often it may move the ticket: a
 * request within `limit` (business time of the ticket's SLA calendar) of the last request that
 * escalated, while that one is still unanswered (no public agent reply since) or
 * unacknowledged, is recorded (`escalation.request_recorded`) and answered, not escalated again.
 * A request that has nowhere to go (the ticket is already there, or at the top) is recorded too:
 * a customer is never refused for asking.
 */
import { DEFAULT_CUSTOMER_REQUESTS } from '../policy/types.ts';
import { escalateTo } from './actions.ts';
import type { Step } from './step.ts';

export function requestEscalation(step: Step, comment: string, actor: string): void {
  const s = step.state;
  const def = step.ctx.policy.customerRequests ?? DEFAULT_CUSTOMER_REQUESTS;
  const cal = step.sla()?.calendar ?? step.ctx.wallClock;
  const prev = s.customerRequest ?? null;
  const recorded = (data: Record<string, unknown>) =>
    step.emit('escalation.request_recorded', actor, { comment, level: s.level, team: s.team, ...data });
  if (prev) {
    const unacknowledged = s.pendingAck?.escalationId === prev.escalationId;
    if (cal.between(prev.at, step.at) < def.limitMs && (!prev.answered || unacknowledged)) {
      const next = cal.add(prev.at, def.limitMs);
      recorded({
        why: unacknowledged ? 'previous_request_unacknowledged' : 'previous_request_unanswered',
        previous_escalation_id: prev.escalationId,
        previous_request_at: new Date(prev.at).toISOString(),
        next_request_from: Number.isFinite(next) ? new Date(next).toISOString() : null,
      });
      return;
    }
  }
  const resolution = step.ctx.matrix.resolve(def.to, s.team, true);
  if (resolution.kind !== 'move') {
    recorded({ why: resolution.kind === 'noop' ? 'already_there' : 'nowhere_higher', detail: resolution.why });
    return;
  }
  escalateTo(step, resolution.team, {
    actor,
    reason: 'customer_request',
    requireAck: def.requireAck,
    // The hand-off the receiving team reads: the customer's own words.
    documentation: { summary: comment, steps_taken: '', needs_attention: `The customer asked for escalation: ${comment}` },
    comment,
    manual: true,
  });
  s.customerRequest = { at: step.at, escalationId: `${s.ref}/e${s.escalationSeq}`, answered: false };
}
