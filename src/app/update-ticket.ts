/**
 * Staff change a ticket's status, priority (directly or through impact × urgency), tags or
 * assignee in one transaction. The team is not changed here: it moves only by escalation,
 * de-escalation or a transfer with a reason (the engine's use cases).
 */
import { actorRef, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import type { Priority, Status } from '../domain/policy/types.ts';
import { assign, changePriority, changeStatus, changeTags, priorityFromMatrix, type Change, type DraftEvent, type Level3 } from '../domain/ticket.ts';
import { commitTicketChange, type Committed } from './commit-ticket-change.ts';
import type { AppDeps } from './deps.ts';
import { inTransaction } from './unit-of-work.ts';
import { requireAssignee } from './require-assignee.ts';
import { loadVisibleTicket } from './ticket-access.ts';

export interface TicketPatch {
  status?: Status;
  priority?: Priority;
  impact?: Level3;
  urgency?: Level3;
  tags?: string[];
  /** null unassigns. */
  assigneeId?: string | null;
  /** When given, the change applies only if the ticket is still at this version. */
  version?: number;
}

export async function updateTicket(deps: AppDeps, actor: Actor, ref: string, patch: TicketPatch): Promise<Committed> {
  if ((patch.impact === undefined) !== (patch.urgency === undefined)) {
    throw new DomainError('VALIDATION_FAILED', 'impact and urgency are given together (priority follows their matrix)', {});
  }
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    const before = await loadVisibleTicket(trx, actor, ref, deps.store.dialect);
    if (patch.version !== undefined && patch.version !== before.version) {
      throw new DomainError('VERSION_CONFLICT', `ticket ${before.key} is at version ${before.version}, not ${patch.version}; reload it`, {
        ticket: before.key,
        version: before.version,
      });
    }
    let current: Change = { ticket: before, events: [] };
    const events: DraftEvent[] = [];
    const apply = (next: Change) => {
      current = next;
      events.push(...next.events);
    };
    if (patch.assigneeId !== undefined) {
      if (patch.assigneeId !== null) await requireAssignee(trx, patch.assigneeId);
      apply(assign(current.ticket, patch.assigneeId));
    }
    // An explicit priority wins; impact × urgency set it only when no priority is given.
    if (patch.impact !== undefined && patch.urgency !== undefined) {
      apply({ ticket: { ...current.ticket, impact: patch.impact, urgency: patch.urgency }, events: [] });
      if (patch.priority === undefined) apply(changePriority(current.ticket, priorityFromMatrix(patch.impact, patch.urgency)));
    }
    if (patch.priority !== undefined) {
      const assessed = patch.impact !== undefined ? current.ticket : { ...current.ticket, impact: null, urgency: null };
      apply(changePriority(assessed, patch.priority));
    }
    if (patch.tags !== undefined) apply(changeTags(current.ticket, patch.tags));
    if (patch.status !== undefined) apply(changeStatus(current.ticket, patch.status, at));
    if (events.length === 0) return { ticket: before, events: [] };
    return commitTicketChange(trx, uow, deps, { before, ticket: current.ticket, events, at, actor: actorRef(actor) });
  });
}
