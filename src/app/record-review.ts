/**
 * The post-resolution review with lessons: a lead, manager or admin records (and later edits)
 * the root cause — a category of the policy's `root_causes` plus text — what went well and
 * badly, and follow-up actions each with an owner (a staff user) and a due day. Only a solved
 * or closed ticket has a review. Each save replaces the stored review and appends an internal
 * `review.recorded` event carrying the whole review: the audit trail, and what the causes
 * report reads (through the rollups, like every other fact).
 */
import type { Actor } from '../auth/roles.ts';
import { isStaff } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { DEFAULT_ROOT_CAUSES } from '../domain/policy/parse-root-causes.ts';
import type { RootCauseDef } from '../domain/policy/types.ts';
import { findReview, saveReview, type ReviewAction, type StoredReview } from '../store/reviews-repo.ts';
import { lockTicketRef } from '../store/tickets-repo.ts';
import { findUserById } from '../store/users-repo.ts';
import { appendTicketEvents } from './append-ticket-events.ts';
import type { AppDeps } from './deps.ts';
import { loadVisibleTicket } from './ticket-access.ts';
import { inTransaction } from './unit-of-work.ts';

export interface ReviewInput {
  root_cause: string;
  root_cause_detail: string;
  went_well: string;
  went_badly: string;
  actions: Array<{ description: string; owner_id: string; due: string; done?: boolean }>;
  /** The revision the editor saw; a save over a newer one is refused (VERSION_CONFLICT). */
  revision?: number | undefined;
}

/** The categories of the policy in force (the default list before any policy). */
export async function rootCausesInForce(deps: AppDeps): Promise<RootCauseDef[]> {
  const active = deps.live ? await deps.live.registry.refresh(deps.store.db) : null;
  return active?.policy.rootCauses ?? [...DEFAULT_ROOT_CAUSES];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (s: string) => DAY.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

export async function readLessons(deps: AppDeps, actor: Actor, ref: string): Promise<StoredReview | null> {
  const ticket = await loadVisibleTicket(deps.store.db, actor, ref);
  return (await findReview(deps.store.db, ticket.id)) ?? null;
}

export async function recordReview(deps: AppDeps, actor: Actor, ref: string, input: ReviewInput): Promise<StoredReview> {
  const ticket = await loadVisibleTicket(deps.store.db, actor, ref);
  if (ticket.status !== 'solved' && ticket.status !== 'closed') {
    throw new DomainError('REVIEW_NOT_OPEN', `ticket ${ticket.key} is ${ticket.status}: record its review once it is solved`, { ticket: ticket.key, status: ticket.status });
  }
  const causes = await rootCausesInForce(deps);
  const problems: Array<{ path: string; message: string }> = [];
  if (!causes.some((c) => c.id === input.root_cause)) {
    problems.push({ path: 'root_cause', message: `unknown root cause "${input.root_cause}"; the policy lists: ${causes.map((c) => c.id).join(', ')}` });
  }
  const actions: ReviewAction[] = [];
  const owners = new Map<string, string>();
  for (const [i, a] of input.actions.entries()) {
    const owner = await findUserById(deps.store.db, a.owner_id);
    if (!owner || !owner.active || !isStaff(owner.role)) problems.push({ path: `actions[${i}].owner_id`, message: `no active staff user with id "${a.owner_id}": an action is owned by a member of staff` });
    else owners.set(owner.id, owner.email);
    if (!isDay(a.due)) problems.push({ path: `actions[${i}].due`, message: `"${a.due}" is not a day: write YYYY-MM-DD` });
    actions.push({ description: a.description.trim(), ownerId: a.owner_id, due: a.due, done: a.done ?? false });
  }
  if (problems.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `the review has ${problems.length} problem(s); nothing was saved`, { issues: problems });
  }
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    const locked = await lockTicketRef(trx, ticket.id, uow.dialect);
    if (!locked) throw new DomainError('TICKET_NOT_FOUND', `no ticket ${ref}`, { ticket: ref });
    const before = await findReview(trx, ticket.id);
    const current = before?.revision ?? 0;
    if (input.revision !== undefined && input.revision !== current) {
      throw new DomainError('VERSION_CONFLICT', `the review of ${ticket.key} is at revision ${current}, not ${input.revision}; reload it`, { current, given: input.revision });
    }
    const review: StoredReview = {
      ticketId: ticket.id,
      rootCause: input.root_cause,
      rootCauseDetail: input.root_cause_detail.trim(),
      wentWell: input.went_well.trim(),
      wentBadly: input.went_badly.trim(),
      actions,
      recordedBy: before?.recordedBy ?? actor.userId,
      recordedAt: before?.recordedAt ?? at,
      updatedBy: actor.userId,
      updatedAt: at,
      revision: current + 1,
    };
    await saveReview(trx, review);
    await appendTicketEvents(trx, uow, locked, { at, recordedAt: at, actor: `user:${actor.userId}` }, [
      {
        type: 'review.recorded',
        internal: true,
        payload: {
          revision: review.revision,
          root_cause: review.rootCause,
          root_cause_detail: review.rootCauseDetail,
          went_well: review.wentWell,
          went_badly: review.wentBadly,
          actions: actions.map((a) => ({ description: a.description, owner: owners.get(a.ownerId) ?? a.ownerId, due: a.due, done: a.done })),
        },
      },
    ]);
    return review;
  });
}
