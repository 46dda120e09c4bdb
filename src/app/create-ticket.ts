/**
 * Opens a ticket. A customer opens one for themselves in their own organization, setting only
 * subject, body, attachments and what the policy's `customer_fields.settable` leaves to them
 * (domain/customer-fields.ts; anything else is CUSTOMER_FIELD_NOT_ALLOWED); the channel is the
 * path the request came by (`extras.via`: web for the portal and the API, the intake's channel
 * for mail and providers). Staff open one on behalf of a requester (the organization follows
 * the requester unless given) and may set every field. The key comes from the database's
 * counter in the same transaction as the insert.
 */
import { actorRef, isStaff, type Actor } from '../auth/roles.ts';
import { checkCustomerFields } from '../domain/customer-fields.ts';
import { DomainError } from '../domain/errors.ts';
import type { Priority } from '../domain/policy/types.ts';
import { assign, resolvePriority, type DraftEvent, type Level3, type Ticket } from '../domain/ticket.ts';
import type { Kysely } from 'kysely';
import { addCcs } from '../store/ccs-repo.ts';
import { newId } from '../store/new-id.ts';
import type { Database } from '../store/schema.ts';
import { findOrganization } from '../store/organizations-repo.ts';
import { nextTicketNumber } from '../store/tickets-repo.ts';
import { findUserById } from '../store/users-repo.ts';
import { claimUploads } from './attachments.ts';
import { customerFieldsInForce } from './customer-fields.ts';
import { commitTicketChange, type Committed } from './commit-ticket-change.ts';
import type { AppDeps } from './deps.ts';
import { inTransaction, type UnitOfWork } from './unit-of-work.ts';
import { requireAssignee } from './require-assignee.ts';

export interface CreateTicketInput {
  subject: string;
  body: string;
  channel?: string;
  priority?: Priority;
  impact?: Level3;
  urgency?: Level3;
  category?: string;
  tags?: string[];
  team?: string;
  requesterId?: string;
  organizationId?: string;
  assigneeId?: string;
  /** Pending uploads of the actor's that become the opening message's files. */
  attachmentIds?: readonly string[];
}

async function resolveRequester(deps: AppDeps, actor: Actor, input: CreateTicketInput): Promise<{ requesterId: string; organizationId: string }> {
  const db = deps.store.db;
  if (!isStaff(actor.role)) {
    checkCustomerFields(await customerFieldsInForce(deps), input);
    if (!actor.organizationId) throw new DomainError('INVALID_REQUESTER', 'your account belongs to no organization', {});
    return { requesterId: actor.userId, organizationId: actor.organizationId };
  }
  const requesterId = input.requesterId ?? actor.userId;
  const requester = await findUserById(db, requesterId);
  if (!requester || !requester.active) {
    throw new DomainError('INVALID_REQUESTER', `no active user '${requesterId}' to be the requester`, { requester_id: requesterId });
  }
  const organizationId = input.organizationId ?? requester.organizationId;
  if (!organizationId) {
    throw new DomainError('INVALID_REQUESTER', 'the requester belongs to no organization: give organization_id', { requester_id: requesterId });
  }
  if (requester.organizationId && requester.organizationId !== organizationId) {
    throw new DomainError('INVALID_REQUESTER', 'the requester belongs to another organization', { requester_id: requesterId, organization_id: organizationId });
  }
  if (!(await findOrganization(db, organizationId))) {
    throw new DomainError('ORGANIZATION_NOT_FOUND', `no organization '${organizationId}'`, { organization_id: organizationId });
  }
  return { requesterId, organizationId };
}

export async function createTicket(deps: AppDeps, actor: Actor, requested: CreateTicketInput, extras: NewTicketExtras & { via?: string } = {}): Promise<Committed> {
  const who = await resolveRequester(deps, actor, requested);
  // A customer's channel is the path's (checked above: they never give one); staff may record another.
  const channel = isStaff(actor.role) ? (requested.channel ?? extras.via) : (extras.via ?? 'web');
  const input: CreateTicketInput = { ...requested, ...(channel !== undefined && { channel }) };
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    if (input.assigneeId !== undefined) await requireAssignee(trx, input.assigneeId);
    return insertNewTicket(trx, uow, deps, actor, who, input, at, extras);
  });
}

/** Extra facts of a ticket opened by the system: its CCs, the closed ticket it follows up. */
export interface NewTicketExtras {
  ccs?: string[];
  followUpOf?: { id: string; key: string };
}

/** Writes a new ticket inside the caller's transaction (the requester already checked). */
export async function insertNewTicket(
  trx: Kysely<Database>,
  uow: UnitOfWork,
  deps: AppDeps,
  actor: Actor,
  who: { requesterId: string; organizationId: string },
  input: CreateTicketInput,
  at: number,
  extras: NewTicketExtras = {},
): Promise<Committed> {
  const number = await nextTicketNumber(trx);
  const created: Ticket = {
    id: newId(at),
    key: `ESC-${number}`,
    requesterId: who.requesterId,
    organizationId: who.organizationId,
    channel: input.channel ?? (isStaff(actor.role) ? 'api' : 'web'),
    subject: input.subject,
    body: input.body,
    priority: resolvePriority(input),
    impact: input.impact ?? null,
    urgency: input.urgency ?? null,
    category: input.category ?? null,
    tags: [...new Set(input.tags ?? [])],
    status: 'new',
    assigneeId: null,
    ownerId: null,
    team: input.team ?? null,
    level: null,
    createdAt: at,
    updatedAt: at,
    solvedAt: null,
    version: 1,
    reassignments: 0,
    teamMoves: 0,
    bounces: 0,
    reopens: 0,
  };
  const events: DraftEvent[] = [
    {
      type: 'ticket.created',
      payload: {
        key: created.key,
        priority: created.priority,
        channel: created.channel,
        category: created.category,
        tags: created.tags,
        team: created.team,
        organization_id: created.organizationId,
        requester_id: created.requesterId,
        ...(extras.followUpOf && { follow_up_of: extras.followUpOf.key }),
        ...(extras.ccs && extras.ccs.length > 0 && { ccs: extras.ccs }),
      },
      internal: false,
    },
  ];
  let ticket = created;
  if (input.assigneeId !== undefined) {
    const assigned = assign(ticket, input.assigneeId);
    ticket = assigned.ticket;
    events.push(...assigned.events);
  }
  const committed = await commitTicketChange(trx, uow, deps, { before: null, ticket, events, at, actor: actorRef(actor), number });
  await claimUploads(trx, actor, input.attachmentIds, { ticketId: ticket.id, commentId: null });
  if (extras.followUpOf) await trx.updateTable('tickets').set({ follow_up_of: extras.followUpOf.id }).where('id', '=', ticket.id).execute();
  if (extras.ccs && extras.ccs.length > 0) await addCcs(trx, ticket.id, extras.ccs, at, actorRef(actor));
  return committed;
}
