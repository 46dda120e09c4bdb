/**
 * Which tickets just changed, for the console's live updates (server-sent events). One feed
 * per process: a change committed here reaches the streams served here; the console still
 * polls slowly as a fallback for changes made on other nodes. It carries keys only — a client
 * that hears of a change reads the ticket through the API, which enforces access.
 */
export interface TicketChanged {
  key: string;
  organizationId: string;
}

type Listener = (change: TicketChanged) => void;

export class ChangeFeed {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after the change's transaction; listeners run on a later tick. */
  publish(change: TicketChanged): void {
    if (this.listeners.size === 0) return;
    setImmediate(() => {
      for (const listener of this.listeners) listener(change);
    });
  }

  get size(): number {
    return this.listeners.size;
  }
}

/** The process's feed: a unit of work publishes the tickets it changed once its transaction committed (unit-of-work.ts). */
export const changeFeed = new ChangeFeed();
