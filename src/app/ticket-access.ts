/**
 * Which tickets an actor may see. Staff see every ticket; a customer sees only their own
 * organization's, and any other ticket is reported exactly like a ticket that does not exist.
 */
import type { Kysely } from 'kysely';
import { isStaff, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import type { Ticket } from '../domain/ticket.ts';
import type { Database } from '../store/schema.ts';
import { findTicket, findTicketForUpdate } from '../store/tickets-repo.ts';

export function ticketNotFound(ref: string): DomainError {
  return new DomainError('TICKET_NOT_FOUND', `no ticket '${ref}'`, { ticket: ref });
}

export function canSeeTicket(actor: Actor, ticket: Ticket): boolean {
  return isStaff(actor.role) || (actor.organizationId !== null && ticket.organizationId === actor.organizationId);
}

export async function loadVisibleTicket(db: Kysely<Database>, actor: Actor, ref: string, lock?: 'sqlite' | 'postgres'): Promise<Ticket> {
  const ticket = lock ? await findTicketForUpdate(db, ref, lock) : await findTicket(db, ref);
  if (!ticket || !canSeeTicket(actor, ticket)) throw ticketNotFound(ref);
  return ticket;
}
