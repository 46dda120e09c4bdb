/**
 * Which tickets just changed, for the console's live updates (server-sent events). One feed per
 * store (a process serves one store; tests open several, each its own "node"): a unit of work
 * publishes the tickets it changed once its transaction committed (unit-of-work.ts).
 *
 * On PostgreSQL the same transaction announced them to every other node (pg_notify at its
 * commit, store/ticket-notify.ts); the feed listens on the store's one LISTEN connection from its
 * first subscriber on, and publishes what other nodes announce (its own announcements are
 * skipped by node id: they were published locally already). Notifications sent while the
 * listener was disconnected are lost, so every (re)connection after the first subscriber is
 * published as a `refresh`: whoever shows tickets must reload them. On SQLite (one process) the
 * feed is in-process only.
 *
 * It carries keys only — a client that hears of a change reads the ticket through the API, which
 * enforces access.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/connect.ts';
import { decodeNotice, encodeNotices, TICKETS_CHANNEL } from '../store/ticket-notify.ts';

export interface TicketChanged {
  key: string;
  organizationId: string;
}

type Listener = (change: TicketChanged) => void;

export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private readonly refreshers = new Set<() => void>();
  private queue: TicketChanged[] = [];
  private started = false;
  /** Changes heard from other nodes, and refreshes published (tests, diagnostics). */
  readonly stats = { heard: 0, ownSkipped: 0, refreshes: 0 };

  /** `node`: this feed's id in the notifications it sends; `store`: where to listen (PostgreSQL). */
  constructor(
    readonly node: string = randomBytes(6).toString('base64url'),
    private readonly store?: Store,
  ) {}

  subscribe(listener: Listener): () => void {
    this.start();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told when changes may have been missed (the listener reconnected): reload everything shown. */
  onRefresh(fn: () => void): () => void {
    this.start();
    this.refreshers.add(fn);
    return () => this.refreshers.delete(fn);
  }

  /** Called after the change's transaction (or on hearing another node's); listeners run on a later tick. */
  publish(change: TicketChanged): void {
    if (this.listeners.size === 0) return;
    this.queue.push(change);
    if (this.queue.length > 1) return;
    setImmediate(() => {
      const q = this.queue;
      this.queue = [];
      for (const c of q) for (const listener of this.listeners) listener(c);
    });
  }

  /** The notifications announcing `changes` from this node (sent in the changing transaction, PostgreSQL). */
  notices(changes: Iterable<TicketChanged>): string[] {
    return encodeNotices(this.node, changes);
  }

  get size(): number {
    return this.listeners.size;
  }

  private start(): void {
    const listen = this.store?.listener;
    if (this.started || !listen) return;
    this.started = true;
    const listener = listen();
    listener.on(TICKETS_CHANNEL, (payload) => {
      const notice = decodeNotice(payload);
      if (!notice) return;
      if (notice.node === this.node) {
        this.stats.ownSkipped += notice.changes.length;
        return;
      }
      this.stats.heard += notice.changes.length;
      for (const c of notice.changes) this.publish(c);
    });
    listener.onConnect(() => {
      this.stats.refreshes++;
      setImmediate(() => {
        for (const fn of this.refreshers) fn();
      });
    });
  }
}

const feeds = new WeakMap<Store, ChangeFeed>();

/** The store's feed (one per store, created at the first call). */
export function feedOf(store: Store): ChangeFeed {
  let feed = feeds.get(store);
  if (!feed) feeds.set(store, (feed = new ChangeFeed(undefined, store)));
  return feed;
}
