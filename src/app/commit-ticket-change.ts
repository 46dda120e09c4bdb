/**
 * The one way a ticket change reaches the database: inside the caller's transaction, run the
 * engine seam, then write the ticket (insert, or update guarded by its version) and append
 * its events. Nothing writes a ticket without its events, or events without their ticket.
 * Timer firings and policy re-application (live-engine.ts) skip the seam — the engine already
 * decided — and join at `writeTicketChange`.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import type { DraftEvent, Ticket } from '../domain/ticket.ts';
import type { StoredEvent } from '../store/events-repo.ts';
import { queueReplies } from '../notify/reply-outbox.ts';
import type { Database } from '../store/schema.ts';
import { appendTicketEvents } from './append-ticket-events.ts';
import type { AppDeps } from './deps.ts';
import type { AfterWrite, TicketChange } from './engine-seam.ts';
import type { UnitOfWork } from './unit-of-work.ts';
import { WriteSet } from './write-set.ts';

export interface Committed {
  ticket: Ticket;
  events: StoredEvent[];
}

export interface TicketWrite {
  /** The ticket as loaded (under its row lock); null when it is being created. */
  before: Ticket | null;
  /** The ticket as the change leaves it. */
  ticket: Ticket;
  /** The new ticket's number (creation only). */
  number?: number;
  events: DraftEvent[];
  at: number;
  actor: string;
  /** Runs once the ticket and events are written, same transaction (engine state, timers, outbox). */
  after?: AfterWrite | undefined;
  /** Writing history (the demo seed): public replies are recorded, never delivered. */
  history?: boolean | undefined;
}

export async function commitTicketChange(
  trx: Kysely<Database>,
  uow: UnitOfWork,
  deps: AppDeps,
  change: TicketChange & { number?: number },
): Promise<Committed> {
  const decided = deps.engine
    ? await deps.engine.onTicketChange(trx, change)
    : { ticket: change.ticket, events: change.events, after: undefined };
  return writeTicketChange(trx, uow, deps.clock, {
    before: change.before,
    ticket: decided.ticket,
    ...(change.number !== undefined && { number: change.number }),
    events: decided.events,
    at: change.at,
    actor: change.actor,
    after: decided.after,
    history: deps.history,
  });
}

/**
 * Writes a decided change: the ticket row (a new one, or the next version when there are
 * events), then the events through `appendTicketEvents`, then `after` — collected in a
 * `WriteSet` (write-set.ts) and written set-based: at the end of this call, or, when the caller
 * passes its own set (a batch of timer firings), when the caller flushes it.
 */
export async function writeTicketChange(trx: Kysely<Database>, uow: UnitOfWork, clock: Clock, w: TicketWrite, set?: WriteSet): Promise<Committed> {
  const recordedAt = clock.now();
  // Without a caller's set (a batch of timer firings) the change's writes go out at the end of this call.
  const writes = set ?? new WriteSet(uow.dialect);
  let ticket = w.ticket;
  if (w.before === null) {
    if (w.number === undefined) throw new Error('writeTicketChange: a new ticket needs its number');
    writes.insertTicket(ticket, w.number);
  } else if (w.events.length > 0) {
    ticket = { ...ticket, version: w.before.version + 1, updatedAt: w.at };
    writes.updateTicket(w.before, ticket);
  }
  const events = await appendTicketEvents(trx, uow, ticket, { at: w.at, recordedAt, actor: w.actor }, w.events, writes);
  if (w.after) await w.after(trx, uow, events, writes);
  if (!set) await writes.flush(trx);
  // Staff's public replies go to the customer by default, in this same transaction (written at
  // once: a batch of timer firings never holds an agent's reply, so nothing is pending for it).
  if (!w.history && (await queueReplies(trx, ticket, events, recordedAt)) > 0) uow.outboxChanged();
  return { ticket, events };
}
