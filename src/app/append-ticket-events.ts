/**
 * The only way an event reaches a ticket's log. Inside the caller's transaction it appends
 * the events, brings the reporting rollups up to date with them (docs/ARCHITECTURE.md,
 * Reporting), and notes on the unit of work that the ticket changed, so the change feed hears
 * of it once the transaction commits. Ticket changes arrive here through
 * `writeTicketChange` (commit-ticket-change.ts); writers that add events without changing the
 * ticket row (delivery records, survey answers) call it directly.
 */
import type { Kysely } from 'kysely';
import type { DraftEvent } from '../domain/ticket.ts';
import { stampEvents, type StoredEvent } from '../store/events-repo.ts';
import type { Database } from '../store/schema.ts';
import { lockTicketRef, type TicketRef } from '../store/tickets-repo.ts';
import type { UnitOfWork } from './unit-of-work.ts';
import { WriteSet } from './write-set.ts';

export interface AppendStamp {
  /** The moment the events belong to (a draft's own `at` wins). */
  at: number;
  /** When they are written. */
  recordedAt: number;
  /** `user:<id>`, `rule:<id>` or `system` (a draft's own `actor` wins). */
  actor: string;
}

/**
 * `ticket` is the ticket as the caller holds it, or its id: the row is then read and locked
 * (PostgreSQL) so that concurrent appends to one ticket follow each other. An id that names
 * no ticket is an error. `set`: the caller's WriteSet (write-set.ts), flushed by the caller;
 * without one the events and rollups are written before this returns.
 */
export async function appendTicketEvents(
  trx: Kysely<Database>,
  uow: UnitOfWork,
  ticket: TicketRef | string,
  stamp: AppendStamp,
  drafts: readonly DraftEvent[],
  set?: WriteSet,
): Promise<StoredEvent[]> {
  if (drafts.length === 0) return [];
  const ref = typeof ticket === 'string' ? await lockTicketRef(trx, ticket, uow.dialect) : ticket;
  if (!ref) throw new Error(`appendTicketEvents: no ticket ${String(ticket)}`);
  const events = stampEvents({ ticketId: ref.id, ...stamp }, drafts);
  const writes = set ?? new WriteSet(uow.dialect);
  // The set writes the events and then recomputes the ticket's rollups from its log.
  writes.addEvents(events);
  if (!set) await writes.flush(trx);
  uow.ticketChanged({ key: ref.key, organizationId: ref.organizationId });
  return events;
}
