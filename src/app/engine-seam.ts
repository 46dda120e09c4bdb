/**
 * The seam where the escalation engine joins every ticket change. `commitTicketChange` calls
 * `onTicketChange` inside the same transaction, after the domain decided the change and
 * before anything is written; the engine returns the final ticket and the full event list
 * (its own events — sla.*, ticket.escalated, notification.queued… — appended), and may write
 * its timers and outbox rows through `trx`. So a ticket, its events, timers and notifications
 * commit or roll back together.
 */
import type { Kysely } from 'kysely';
import type { Change, DraftEvent, Ticket } from '../domain/ticket.ts';
import type { StoredEvent } from '../store/events-repo.ts';
import type { Database } from '../store/schema.ts';
import type { UnitOfWork } from './unit-of-work.ts';
import type { WriteSet } from './write-set.ts';

export interface TicketChange {
  /** The ticket as loaded; null when it is being created. */
  before: Ticket | null;
  /** The ticket after the domain change, and the events the change caused, in order. */
  ticket: Ticket;
  events: DraftEvent[];
  /** Epoch ms the change belongs to. */
  at: number;
  /** `user:<id>`, `rule:<id>` or `system`. */
  actor: string;
  /** The new comment's body, for rules that read `text` on `comment.added`. */
  commentBody?: string;
}

/**
 * Runs once the ticket row and events are written (it needs the stored event ids and the row
 * for foreign keys): engine state, timers, outbox rows — same transaction; the wake-ups they
 * call for go on the unit of work.
 */
export type AfterWrite = (trx: Kysely<Database>, uow: UnitOfWork, stored: StoredEvent[], set: WriteSet) => Promise<void>;

export interface TicketEngine {
  onTicketChange(trx: Kysely<Database>, change: TicketChange): Promise<Change & { after?: AfterWrite }>;
}
