/**
 * One transaction and what it announces once it has committed. Writes go through `trx`;
 * announcements — the change feed (which tickets changed) and this process's wake-ups (the
 * scheduler when timers moved, the dispatcher when outbox rows were written) — are only
 * collected on the `UnitOfWork` during the transaction, and `inTransaction` flushes them after
 * the commit. A change that rolls back announces nothing; a listener that hears of a change
 * can read it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Kysely } from 'kysely';
import type { Dialect, Store } from '../store/connect.ts';
import type { Database } from '../store/schema.ts';
import { feedOf, type ChangeFeed, type TicketChanged } from './change-feed.ts';
import { withTicketNotice } from '../store/ticket-notify.ts';

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

  /** The tickets changed so far (PostgreSQL: announced to other nodes at the commit). */
  changedTickets(): IterableIterator<TicketChanged> {
    return this.tickets.values();
  }

  /** Announces what was collected; call only after the transaction committed. */
  flush(to: Announcers): void {
    for (const ticket of this.tickets.values()) to.feed.publish(ticket);
    if (this.earliestTimer !== undefined) to.signals?.timersChanged(this.earliestTimer);
    if (this.outbox) to.signals?.outboxChanged();
  }
}

/** Most members one group transaction takes (the rest wait for the next commit). */
export const MAX_GROUP = 64;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Member {
  work: (trx: Kysely<Database>, uow: UnitOfWork) => Promise<unknown>;
  uow: UnitOfWork;
  signals: EngineSignals | undefined;
  /** Units of work of nested inTransaction calls that succeeded: announced with this member's. */
  nested: Array<{ uow: UnitOfWork; signals: EngineSignals | undefined }>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The member whose work is running (a nested inTransaction joins its transaction). */
const running = new AsyncLocalStorage<{ store: Store; trx: Kysely<Database>; member: Member }>();
let savepoints = 0;

/**
 * Runs `body` after a SAVEPOINT and rolls back to it if `body` throws. A savepoint is not
 * released: the COMMIT ends them all, and a rollback to one undoes only what came after it —
 * the failing work, since members and nested calls run one after another. One statement per
 * change instead of two.
 */
async function savepoint<T>(trx: Kysely<Database>, body: () => Promise<T>): Promise<T> {
  const name = sql.raw(`escalon_${++savepoints}`);
  await sql`savepoint ${name}`.execute(trx);
  try {
    return await body();
  } catch (error) {
    // If the rollback itself fails the transaction is unusable: that error ends the whole group.
    await sql`rollback to savepoint ${name}`.execute(trx);
    throw error;
  }
}

/**
 * SQLite's write queue: one connection, so transactions run one after another anyway; each
 * commit costs an fsync (synchronous=FULL). Changes that arrive while a transaction runs wait,
 * then share the next one — each inside its own SAVEPOINT, so a member that throws is rolled
 * back alone (its error to its caller only, its announcements dropped) and the others commit.
 * If BEGIN, a savepoint rollback or the COMMIT fails, nothing of the group is committed: every
 * member that ran gets that error; members that had not run yet wait for the next group.
 */
class WriteQueue {
  private readonly waiting: Member[] = [];
  private draining = false;
  /** Group transactions begun and members they carried (groupCommitStats). */
  readonly stats = { transactions: 0, members: 0 };

  constructor(private readonly store: Store) {}

  submit<T>(signals: EngineSignals | undefined, work: (trx: Kysely<Database>, uow: UnitOfWork) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, uow: new UnitOfWork(this.store.dialect), signals, nested: [], resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  /**
   * better-sqlite3 runs every statement, the COMMIT's fsync included, synchronously: a
   * transaction never lets the event loop turn, so requests arrive only between transactions.
   * Each group therefore starts on the next turn of the loop (setImmediate), after the I/O that
   * is ready — the requests that came in during the previous commit — has reached this queue.
   */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        await this.run(this.waiting.splice(0, MAX_GROUP));
      }
    } finally {
      this.draining = false;
    }
  }

  private async run(group: Member[]): Promise<void> {
    const outcomes = new Map<Member, Outcome>();
    this.stats.transactions++;
    this.stats.members += group.length;
    const runMember = (trx: Kysely<Database>, m: Member) => running.run({ store: this.store, trx, member: m }, () => m.work(trx, m.uow));
    try {
      await this.store.db.transaction().execute(async (trx) => {
        const [only] = group;
        if (group.length === 1 && only) {
          // Alone: no savepoint; its error rolls the transaction back, as without a queue.
          outcomes.set(only, { ok: true, value: await runMember(trx, only) });
          return;
        }
        for (const m of group) {
          try {
            outcomes.set(m, { ok: true, value: await savepoint(trx, () => runMember(trx, m)) });
          } catch (error) {
            outcomes.set(m, { ok: false, error });
            // A failed rollback leaves the transaction unusable: end the group (caught below).
            if (await transactionBroken(trx)) throw error;
          }
        }
      });
    } catch (error) {
      const ran = group.filter((m) => outcomes.has(m));
      for (const m of group) {
        const own = outcomes.get(m);
        if (own && !own.ok) m.reject(own.error);
        else if (own || ran.length === 0 || group.length === 1) m.reject(error);
      }
      // Members that never ran get another chance in the next group (progress was made: some ran).
      if (ran.length > 0 && group.length > 1) this.waiting.unshift(...group.filter((m) => !outcomes.has(m)));
      return;
    }
    for (const m of group) {
      const o = outcomes.get(m);
      if (o?.ok) {
        const feed = feedOf(this.store);
        m.uow.flush({ feed, signals: m.signals });
        for (const n of m.nested) n.uow.flush({ feed, signals: n.signals });
        m.resolve(o.value);
      } else m.reject(o ? o.error : new Error('inTransaction: member did not run'));
    }
  }
}

/** After a member's failure: true when SQLite already rolled the whole transaction back (disk full, I/O error…). */
async function transactionBroken(trx: Kysely<Database>): Promise<boolean> {
  try {
    await sql`savepoint escalon_probe`.execute(trx);
    await sql`release savepoint escalon_probe`.execute(trx);
    return false;
  } catch {
    return true;
  }
}

const queues = new WeakMap<Store, WriteQueue>();

/** How many group transactions a SQLite store's write queue ran, carrying how many inTransaction calls (tests, the bench). */
export function groupCommitStats(store: Store): { transactions: number; members: number } {
  const s = queues.get(store)?.stats;
  return s ? { ...s } : { transactions: 0, members: 0 };
}

/**
 * Runs `work` in one transaction and, once it committed, flushes what it collected. A thrown
 * error rolls the work back and drops the collection.
 *
 * SQLite: concurrent calls share a transaction (group commit, WriteQueue above); each call's
 * work is still atomic and isolated from the others' failures by a savepoint. A call made from
 * inside another call's work joins that transaction as a savepoint (its announcements go out
 * with the outer ones) instead of waiting for it forever. PostgreSQL: every call has its own
 * transaction on a pool connection (they run in parallel; the server groups WAL flushes itself),
 * and its COMMIT carries a pg_notify of the tickets it changed, for the other nodes' feeds.
 */
export async function inTransaction<T>(
  store: Store,
  signals: EngineSignals | undefined,
  work: (trx: Kysely<Database>, uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  if (store.dialect === 'sqlite') {
    const outer = running.getStore();
    if (outer && outer.store === store) {
      const uow = new UnitOfWork(store.dialect);
      const result = await savepoint(outer.trx, () => work(outer.trx, uow));
      outer.member.nested.push({ uow, signals });
      return result;
    }
    let queue = queues.get(store);
    if (!queue) queues.set(store, (queue = new WriteQueue(store)));
    return queue.submit(signals, work);
  }
  const uow = new UnitOfWork(store.dialect);
  const feed = feedOf(store);
  // Other nodes hear of the changed tickets at the commit (pg_notify sent with the COMMIT).
  const result = await withTicketNotice(
    () => feed.notices(uow.changedTickets()),
    () => store.db.transaction().execute((trx) => work(trx, uow)),
  );
  uow.flush({ feed, signals });
  return result;
}
