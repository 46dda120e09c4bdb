/**
 * Manual escalation, customer-requested escalation, de-escalation and acknowledgement
 * (the contract (docs/contract.md) §4). Each is a draft event that the live engine turns into the engine's own
 * decision — where the ticket goes, who is told — in the ticket's transaction.
 */
import { actorRef, isStaff, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import type { ReasonCategory } from '../domain/policy/types.ts';
import type { DraftEvent, Ticket } from '../domain/ticket.ts';
import { mayAcknowledge } from '../domain/engine/acknowledge-rights.ts';
import type { Kysely } from 'kysely';
import { loadEngineState } from '../store/engine-state-repo.ts';
import type { Database } from '../store/schema.ts';
import { commitTicketChange, type Committed } from './commit-ticket-change.ts';
import { customerRequestOutcome, type CustomerRequestOutcome } from './customer-request-outcome.ts';
import type { AppDeps } from './deps.ts';
import { inTransaction } from './unit-of-work.ts';
import { loadVisibleTicket } from './ticket-access.ts';

/** The longest reason a customer may give for an escalation request. */
export const CUSTOMER_REASON_MAX = 2000;

export interface EscalateInput {
  to_level?: string;
  to_team?: string;
  reason?: ReasonCategory;
  /** The hand-off documentation (the fields of the escalation templates). */
  documentation?: { summary: string; steps_taken: string; needs_attention: string };
  require_acknowledgement?: boolean;
  /** A customer's words when requesting escalation. */
  comment?: string;
}

type Check = (trx: Kysely<Database>, before: Ticket) => Promise<void>;

async function commitDraft(deps: AppDeps, actor: Actor, ref: string, draft: DraftEvent, check?: Check): Promise<Committed> {
  if (!deps.engine) throw new DomainError('NO_POLICY', 'escalation needs the escalation engine, which this server runs without', {});
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    const before = await loadVisibleTicket(trx, actor, ref, deps.store.dialect);
    const anyPolicy = await trx.selectFrom('policies').select('version').limit(1).executeTakeFirst();
    if (!anyPolicy) throw new DomainError('NO_POLICY', 'no escalation policy is applied yet: PUT /api/v1/policy first', {});
    if (check) await check(trx, before);
    return commitTicketChange(trx, uow, deps, { before, ticket: before, events: [draft], at, actor: actorRef(actor) });
  });
}

export interface EscalateResult extends Committed {
  /** For a customer's request: what happened, in the customer's terms. */
  request?: CustomerRequestOutcome;
}

export async function escalateTicket(deps: AppDeps, actor: Actor, ref: string, input: EscalateInput): Promise<EscalateResult> {
  if (!isStaff(actor.role)) {
    // A customer asks; where the ticket goes and how often it may, the policy decides.
    if (input.to_level || input.to_team || input.documentation || input.require_acknowledgement !== undefined || (input.reason && input.reason !== 'customer_request')) {
      throw new DomainError('FORBIDDEN', 'customers request escalation with a comment only; reason is customer_request', {});
    }
    const comment = input.comment?.trim() ?? '';
    if (comment.length === 0 || comment.length > CUSTOMER_REASON_MAX) {
      throw new DomainError(
        'VALIDATION_FAILED',
        comment.length === 0
          ? 'say why the ticket should be escalated: put your reason in "comment"'
          : `the reason in "comment" is ${comment.length} characters long; keep it to ${CUSTOMER_REASON_MAX}`,
        { issues: [{ path: 'body.comment', message: comment.length === 0 ? 'required, not empty' : `at most ${CUSTOMER_REASON_MAX} characters` }] },
      );
    }
    const payload: Record<string, unknown> = { reason: 'customer_request', comment, by_customer: true };
    const committed = await commitDraft(deps, actor, ref, { type: 'ticket.escalated', payload, internal: true });
    const active = deps.live ? await deps.live.registry.refresh(deps.store.db) : null;
    return { ...committed, request: customerRequestOutcome(committed.events, active?.policy ?? null) };
  }
  const missing: string[] = [];
  if (!input.reason) missing.push('reason');
  const doc = input.documentation;
  if (input.reason !== 'customer_request') {
    if (!doc?.summary?.trim()) missing.push('documentation.summary');
    if (!doc?.steps_taken?.trim()) missing.push('documentation.steps_taken');
    if (!doc?.needs_attention?.trim()) missing.push('documentation.needs_attention');
  }
  if (missing.length > 0) {
    throw new DomainError('DOCUMENTATION_REQUIRED', `a manual escalation needs a reason category and hand-off documentation; missing: ${missing.join(', ')}`, {
      missing,
    });
  }
  if (input.to_level && input.to_team) throw new DomainError('VALIDATION_FAILED', 'give to_level or to_team, not both', {});
  const payload: Record<string, unknown> = { reason: input.reason, documentation: doc, require_ack: input.require_acknowledgement === true };
  if (input.comment?.trim()) payload.comment = input.comment.trim();
  if (input.to_level) payload.to_level = input.to_level;
  if (input.to_team) payload.to_team = input.to_team;
  return commitDraft(deps, actor, ref, { type: 'ticket.escalated', payload, internal: true }, async (trx, before) => {
    // Down the ladder is a de-escalation (with its reason), not an escalation: refused here so a
    // pending acknowledgement is never silently replaced by a move downwards. A functional team
    // below is a transfer by subject matter and goes.
    if (!input.to_team || !deps.live || before.level === null) return;
    const matrix = (await deps.live.registry.refresh(trx))?.engine.ctx.matrix;
    const team = matrix?.team(input.to_team);
    if (matrix && team && team.kind === 'hierarchical' && matrix.rank(team.level) < matrix.rank(before.level)) {
      throw new DomainError('ESCALATION_REFUSED', `team ${team.id} is at level ${team.level}, below the ticket's level ${before.level}: de-escalate instead (POST /api/v1/tickets/${before.key}/de-escalate with a reason)`, {
        ticket: before.key,
        to_team: team.id,
      });
    }
  });
}

export async function deescalateTicket(
  deps: AppDeps,
  actor: Actor,
  ref: string,
  input: { reason: string; to_level?: string; to_team?: string },
): Promise<Committed> {
  if (!input.reason.trim()) throw new DomainError('VALIDATION_FAILED', 'de-escalation needs a reason', { field: 'reason' });
  const payload: Record<string, unknown> = { reason: input.reason };
  if (input.to_level) payload.to_level = input.to_level;
  if (input.to_team) payload.to_team = input.to_team;
  return commitDraft(deps, actor, ref, { type: 'ticket.deescalated', payload, internal: true });
}

export async function acknowledgeEscalation(deps: AppDeps, actor: Actor, ref: string): Promise<Committed> {
  return commitDraft(deps, actor, ref, { type: 'escalation.acknowledged', payload: {}, internal: true }, async (trx, before) => {
    const state = await loadEngineState(trx, before.id);
    const active = deps.live ? await deps.live.registry.refresh(trx) : null;
    // Nothing pending: the engine answers NOTHING_TO_ACKNOWLEDGE.
    if (!state?.pendingAck || !active) return;
    const right = mayAcknowledge(state, active.engine.ctx.matrix, { email: actor.email, role: actor.role });
    if (!right.ok) throw new DomainError('ACKNOWLEDGEMENT_NOT_ALLOWED', right.why, { ticket: before.key });
  });
}
