/**
 * One transaction and what it announces once it has committed. Writes go through `trx`;
 * announcements — the change feed (which tickets changed) and this process's wake-ups (the
 * scheduler when timers moved, the dispatcher when outbox rows were written) — are only
 * collected on the `UnitOfWork` during the transaction, and `inTransaction` flushes them after
 * the commit. A change that rolls back announces nothing; a listener that hears of a change
 * can read it.
 */
import type { Kysely } from 'kysely';
import type { Dialect, Store } from '../store/connect.ts';
import type { Database } from '../store/schema.ts';
import { changeFeed, type ChangeFeed, type TicketChanged } from './change-feed.ts';

/** What the engine's activity wakes up in this process (the scheduler, the dispatcher). */
export interface EngineSignals {
  timersChanged(earliest: number | null): void;
  outboxChanged(): void;
}

export interface Announcers {
  feed: ChangeFeed;
  signals?: EngineSignals | undefined;
}

export class UnitOfWork {
  private readonly tickets = new Map<string, TicketChanged>();
  /** undefined: no timer moved; null: some ticket has no timer left (wake unconditionally). */
  private earliestTimer: number | null | undefined = undefined;
  private outbox = false;

  /** The store's dialect, for the writes whose locking differs (see tickets-repo.ts lockTicketRef). */
  constructor(readonly dialect: Dialect) {}

  /** A ticket's events or row changed. */
  ticketChanged(ticket: TicketChanged): void {
    this.tickets.set(ticket.key, ticket);
  }

  /** A ticket's timers were replaced; `earliest` is its first due moment, null when it has none. */
  timersChanged(earliest: number | null): void {
    if (this.earliestTimer === null) return;
    this.earliestTimer = earliest === null || this.earliestTimer === undefined ? earliest : Math.min(this.earliestTimer, earliest);
  }

  /** Outbox rows were written. */
  outboxChanged(): void {
    this.outbox = true;
  }

  /** Announces what was collected; call only after the transaction committed. */
  flush(to: Announcers): void {
    for (const ticket of this.tickets.values()) to.feed.publish(ticket);
    if (this.earliestTimer !== undefined) to.signals?.timersChanged(this.earliestTimer);
    if (this.outbox) to.signals?.outboxChanged();
  }
}

/**
 * Runs `work` in one transaction and, once it committed, flushes what it collected. A thrown
 * error rolls the transaction back and drops the collection.
 */
export async function inTransaction<T>(
  store: Store,
  signals: EngineSignals | undefined,
  work: (trx: Kysely<Database>, uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  const uow = new UnitOfWork(store.dialect);
  const result = await store.db.transaction().execute((trx) => work(trx, uow));
  uow.flush({ feed: changeFeed, signals });
  return result;
}
