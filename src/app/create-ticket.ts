/**
 * Opens a ticket. A customer opens one for themselves in their own organization, setting only
 * subject, body, attachments and what the policy's `customer_fields.settable` leaves to them
 * (domain/customer-fields.ts; anything else is CUSTOMER_FIELD_NOT_ALLOWED); the channel is the
 * path the request came by (`extras.via`: web for the portal and the API, the intake's channel
 * for mail and providers). Staff open one on behalf of a requester and may set every field:
 * `requesterId`, or `requester` by email — an existing customer (their organization), else a
 * new customer (no password, invited later) in `organizationId` if given, else the one
 * organization whose customers write from the same email domain, else the organization new
 * mail and web-form senders join (`extras.defaultOrganizationId`); without any, the ticket is
 * refused (INVALID_REQUESTER). Staff name a requester: a ticket is never silently theirs. The key comes from the database's
 * counter (SQLite) or sequence (PostgreSQL), store/ticket-numbers.ts, in the same transaction as the insert.
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
import { findOrganization, organizationOfDomain } from '../store/organizations-repo.ts';
import { nextTicketNumber } from '../store/ticket-numbers.ts';
import { findUserByEmail, findUserById, insertUser, normaliseEmail } from '../store/users-repo.ts';
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
  /** Staff: the customer by email; an address without an account becomes a new customer (no password). */
  requester?: { email: string; name?: string };
  organizationId?: string;
  assigneeId?: string;
  /** Pending uploads of the actor's that become the opening message's files. */
  attachmentIds?: readonly string[];
}

/** Mail providers whose domain says nothing about the sender's organization. */
const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'icloud.com', 'me.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com', 'yandex.ru']);

/**
 * The organization of a new customer by their email's domain: the organization that lists the
 * domain among its mail domains, else the one organization whose active customers already write from that domain (none, several, or a public mail provider: undefined).
 */
export async function organizationByEmailDomain(db: Kysely<Database>, email: string): Promise<string | undefined> {
  const domain = email.trim().toLowerCase().split('@')[1];
  if (!domain) return undefined;
  // An organization's configured mail domains decide first (the admin's Organizations screen).
  const configured = await organizationOfDomain(db, domain);
  if (configured) return configured;
  if (FREE_MAIL.has(domain)) return undefined;
  const rows = await db
    .selectFrom('users')
    .select('organization_id')
    .distinct()
    .where('role', '=', 'customer')
    .where('active', '=', 1)
    .where('organization_id', 'is not', null)
    .where('email', 'like', `%@${domain.replace(/[%_\\]/g, '')}`)
    .execute();
  return rows.length === 1 && rows[0]?.organization_id ? rows[0].organization_id : undefined;
}

/** Who the ticket is for: an existing user, or a customer to create by email (in the ticket's transaction). */
type Who = { requesterId: string; organizationId: string; newCustomer?: { email: string; name: string } };

async function resolveRequester(deps: AppDeps, actor: Actor, input: CreateTicketInput, defaultOrganizationId: string | undefined): Promise<Who> {
  const db = deps.store.db;
  if (!isStaff(actor.role)) {
    checkCustomerFields(await customerFieldsInForce(deps), input);
    if (!actor.organizationId) throw new DomainError('INVALID_REQUESTER', 'your account belongs to no organization', {});
    return { requesterId: actor.userId, organizationId: actor.organizationId };
  }
  if (input.requester !== undefined && input.requesterId !== undefined) {
    throw new DomainError('INVALID_REQUESTER', 'give the requester once: requester {email, name} or requester_id, not both', { requester_id: input.requesterId });
  }
  if (input.requester === undefined && input.requesterId === undefined) {
    throw new DomainError(
      'INVALID_REQUESTER',
      'a ticket opened by staff names its requester, the customer it is for: give requester {email, name} (a new customer is created) or requester_id',
      {},
    );
  }
  const checkOrganization = async (organizationId: string) => {
    if (!(await findOrganization(db, organizationId))) {
      throw new DomainError('ORGANIZATION_NOT_FOUND', `no organization '${organizationId}'`, { organization_id: organizationId });
    }
  };
  if (input.requester !== undefined) {
    const email = normaliseEmail(input.requester.email);
    const existing = await findUserByEmail(db, email);
    if (!existing) {
      const organizationId = input.organizationId ?? (await organizationByEmailDomain(db, email)) ?? defaultOrganizationId;
      if (!organizationId) {
        throw new DomainError(
          'INVALID_REQUESTER',
          `${email} is a new customer and no organization follows from the address: give organization_id (new senders' organization is turned away here)`,
          { requester_email: email },
        );
      }
      await checkOrganization(organizationId);
      return { requesterId: '', organizationId, newCustomer: { email, name: input.requester.name?.trim() || email } };
    }
    if (existing.role !== 'customer') {
      throw new DomainError('INVALID_REQUESTER', `${email} is a staff account (${existing.role}): the requester is the customer the ticket is for`, { requester_email: email });
    }
    input = { ...input, requesterId: existing.id };
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
  await checkOrganization(organizationId);
  return { requesterId, organizationId };
}

export async function createTicket(
  deps: AppDeps,
  actor: Actor,
  requested: CreateTicketInput,
  extras: NewTicketExtras & { via?: string; defaultOrganizationId?: string | undefined } = {},
): Promise<Committed> {
  const who = await resolveRequester(deps, actor, requested, extras.defaultOrganizationId);
  // A customer's channel is the path's (checked above: they never give one); staff may record another.
  const channel = isStaff(actor.role) ? (requested.channel ?? extras.via) : (extras.via ?? 'web');
  const input: CreateTicketInput = { ...requested, ...(channel !== undefined && { channel }) };
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    if (input.assigneeId !== undefined) await requireAssignee(trx, input.assigneeId);
    let requester = { requesterId: who.requesterId, organizationId: who.organizationId };
    if (who.newCustomer) {
      // A customer without a password (they can be invited later); a concurrent create of the same address loses here.
      if (await findUserByEmail(trx, who.newCustomer.email)) {
        throw new DomainError('EMAIL_TAKEN', `a user with email '${who.newCustomer.email}' was created meanwhile; send the ticket again`, { email: who.newCustomer.email });
      }
      const id = newId(at);
      await insertUser(trx, { id, email: who.newCustomer.email, name: who.newCustomer.name, role: 'customer', organizationId: who.organizationId, active: true, createdAt: at, phone: null, timeZone: null, passwordHash: null });
      requester = { requesterId: id, organizationId: who.organizationId };
    }
    return insertNewTicket(trx, uow, deps, actor, requester, input, at, extras);
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
  const number = await nextTicketNumber(trx, uow.dialect);
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
