/**
 * The one way a ticket change reaches the database: inside the caller's transaction, run the
 * engine seam, then write the ticket (insert, or update guarded by its version) and append
 * its events. Nothing writes a ticket without its events, or events without their ticket.
 */
import type { Kysely } from 'kysely';
import type { Ticket } from '../domain/ticket.ts';
import { applyToRollups } from '../reporting/rollups.ts';
import { changeFeed } from './change-feed.ts';
import { queueReplies } from '../notify/reply-outbox.ts';
import { appendEvents, type StoredEvent } from '../store/events-repo.ts';
import type { Database } from '../store/schema.ts';
import { insertTicket, updateTicket } from '../store/tickets-repo.ts';
import type { AppDeps } from './deps.ts';
import type { TicketChange } from './engine-seam.ts';

export interface Committed {
  ticket: Ticket;
  events: StoredEvent[];
}

export async function commitTicketChange(trx: Kysely<Database>, deps: AppDeps, change: TicketChange & { number?: number }): Promise<Committed> {
  const decided = deps.engine
    ? await deps.engine.onTicketChange(trx, change)
    : { ticket: change.ticket, events: change.events, after: undefined };
  const recordedAt = deps.clock.now();
  let ticket = decided.ticket;
  if (change.before === null) {
    if (change.number === undefined) throw new Error('commitTicketChange: a new ticket needs its number');
    await insertTicket(trx, { ...ticket, number: change.number });
  } else if (decided.events.length > 0) {
    ticket = { ...ticket, version: change.before.version + 1, updatedAt: change.at };
    await updateTicket(trx, ticket);
  }
  const events = await appendEvents(trx, { ticketId: ticket.id, at: change.at, recordedAt, actor: change.actor }, decided.events);
  if (decided.after) await decided.after(trx, events);
  // Staff's public replies go to the customer by default, in this same transaction.
  if (!deps.history) await queueReplies(trx, ticket, events, recordedAt);
  // Reporting rollups move with the events, in the same transaction (docs/ARCHITECTURE.md, Reporting).
  await applyToRollups(trx, ticket.id, events);
  changeFeed.publish({ key: ticket.key, organizationId: ticket.organizationId });
  return { ticket, events };
}
