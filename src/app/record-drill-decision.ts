/**
 * A trainee decides one drill ticket: escalate or not, to which team or level, why, when
 * (`now` on what the ticket says, or `wait` for a timer), with the documentation an
 * escalation carries. The decision is scored against what the policy does (domain/drills.ts)
 * and stored once (a second decision is refused: DRILL_ALREADY_DECIDED). Nothing else moves:
 * drill tickets are not tickets, and nobody is notified.
 */
import type { Actor } from '../auth/roles.ts';
import { scoreDecision, type DrillDecision, type Timing } from '../domain/drills.ts';
import { DomainError } from '../domain/errors.ts';
import type { ReasonCategory } from '../domain/policy/types.ts';
import { drillTickets, insertDecision, type StoredDecision } from '../store/drills-repo.ts';
import type { AppDeps } from './deps.ts';
import { policyInForce } from './create-drill.ts';
import { decisionView, visibleDrill } from './read-drills.ts';
import { inTransaction } from './unit-of-work.ts';

export interface DecisionInput {
  ticket_id: string;
  escalate: boolean;
  team?: string | null | undefined;
  level?: string | null | undefined;
  reason?: ReasonCategory | null | undefined;
  timing?: Timing | null | undefined;
  documentation?: { summary: string; steps_taken: string; needs_attention: string } | null | undefined;
}

export async function recordDrillDecision(deps: AppDeps, actor: Actor, drillId: string, input: DecisionInput) {
  const drill = await visibleDrill(deps, actor, drillId);
  if (!drill.trainees.includes(actor.userId)) {
    throw new DomainError('DRILL_NOT_A_TRAINEE', `you are not a trainee of drill "${drill.name}": only its trainees decide its tickets`, { drill_id: drill.id });
  }
  const ticket = (await drillTickets(deps.store.db, drill.id)).find((t) => t.id === input.ticket_id);
  if (!ticket) throw new DomainError('DRILL_NOT_FOUND', `drill "${drill.name}" has no ticket ${input.ticket_id}`, { drill_id: drill.id, ticket_id: input.ticket_id });
  let decision: DrillDecision;
  if (input.escalate) {
    const { policy } = await policyInForce(deps);
    const issues: Array<{ path: string; message: string }> = [];
    if (!input.team && !input.level) issues.push({ path: 'team', message: 'an escalation names a team or a level' });
    if (!input.reason) issues.push({ path: 'reason', message: 'an escalation gives a reason' });
    if (!input.timing) issues.push({ path: 'timing', message: 'say when: "now" (on what the ticket says) or "wait" (when a target is missed)' });
    if (issues.length > 0) throw new DomainError('VALIDATION_FAILED', `the decision has ${issues.length} problem(s); nothing was recorded`, { issues });
    if (input.team && !policy.teams.some((t) => t.id === input.team)) throw new DomainError('UNKNOWN_TEAM', `no team "${input.team}" in the policy in force; teams: ${policy.teams.map((t) => t.id).join(', ')}`, { team: input.team });
    if (input.level && !policy.levels.some((l) => l.id === input.level)) throw new DomainError('UNKNOWN_LEVEL', `no level "${input.level}" in the policy in force; levels: ${policy.levels.map((l) => l.id).join(', ')}`, { level: input.level });
    if (!input.documentation || input.documentation.summary.trim() === '') {
      throw new DomainError('DOCUMENTATION_REQUIRED', 'an escalation carries its documentation: at least a summary (what the customer needs), as in a real escalation', { field: 'documentation.summary' });
    }
    decision = { escalate: true, team: input.team ?? null, level: input.team ? null : (input.level ?? null), reason: input.reason ?? null, timing: input.timing ?? null };
  } else decision = { escalate: false };
  const score = scoreDecision(ticket.expected, decision);
  const stored: StoredDecision = {
    drillTicketId: ticket.id,
    userId: actor.userId,
    drillId: drill.id,
    decision: { ...decision, ...(input.escalate && input.documentation && { documentation: input.documentation }) },
    score,
    decidedAt: deps.clock.now(),
  };
  const inserted = await inTransaction(deps.store, undefined, (trx) => insertDecision(trx, stored));
  if (!inserted) throw new DomainError('DRILL_ALREADY_DECIDED', `you decided ${ticket.ref} of this drill already; the first decision is scored and kept`, { ticket_id: ticket.id });
  const e = ticket.expected;
  return {
    ticket_id: ticket.id,
    ...decisionView(stored),
    expected: { escalate: e.escalate, team: e.team, level: e.level, reason: e.reason, rule: e.rule, trigger: e.trigger, after_ms: e.offsetMs, timing: e.timing, explanation: e.explanation },
  };
}
