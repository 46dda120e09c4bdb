/**
 * The timer loop: fires every due timer at its moment, and after downtime catches up at once.
 *
 * States, in prose. *Firing*: claim due timers in batches and fire them until a batch comes
 * back short, yielding to the event loop between batches (a catch-up never starves the API;
 * on SQLite a batch also stops taking on tickets after a time budget, fire-timers.ts). *Sleeping*: wait until the earliest pending timer is due, but never longer than
 * `maxSleepMs` (timers written by other processes are seen within that bound) and never longer
 * than setTimeout's 24.8-day limit; a due timer another process holds under its lease counts
 * as due when that lease ends (a dead node's short lease runs out and this loop takes over at
 * that moment); `wake()` — called when this process writes a timer earlier than the one
 * awaited — ends the sleep at once. *Stopping*: `stop()` ends the sleep and waits
 * for the batch in flight to commit; nothing half-done is left but unclaimed timers.
 */
import { countTimers, nextClaimableAt } from '../store/timers-repo.ts';
import { fireDueTimers, type FireDeps, type FireResult } from '../app/fire-timers.ts';

export interface TimerLoopOptions {
  maxSleepMs?: number;
  batchSize?: number;
  /** Batches run at once (PostgreSQL; default 2). SQLite always runs one. */
  workers?: number;
  log?: (msg: string) => void;
}

const SET_TIMEOUT_MAX = 2 ** 31 - 1;
/** SQLite: how long one batch should hold the connection (the claim size adapts to it). */
const SQLITE_BATCH_TARGET_MS = 60;
const MIN_ADAPTIVE_BATCH = 16;
/** The pause between catch-up batches on SQLite (see the loop). */
const SQLITE_CATCH_UP_PAUSE_MS = 3;

export class TimerLoop {
  private stopped = false;
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private sleepingUntil = Infinity;
  private readonly maxSleepMs: number;
  private readonly batchSize: number;
  /** The next claim's size: batchSize, or less on SQLite while batches run long. */
  private limit: number;
  private readonly workers: number;

  constructor(
    private readonly deps: FireDeps,
    private readonly options: TimerLoopOptions = {},
  ) {
    this.maxSleepMs = Math.min(options.maxSleepMs ?? 1000, SET_TIMEOUT_MAX);
    this.batchSize = options.batchSize ?? 500;
    this.limit = this.batchSize;
    this.workers = deps.store.dialect === 'postgres' ? Math.max(1, options.workers ?? 2) : 1;
  }

  start(): void {
    if (!this.running) this.running = this.loop();
  }

  /** A timer due at `due` was written: end the sleep if it is earlier than the awaited moment. */
  wake(due: number | null = null): void {
    if (due === null || due < this.sleepingUntil) this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
  }

  async pending(): Promise<number> {
    return countTimers(this.deps.store.db);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const limit = this.limit;
        const t0 = performance.now();
        const result = await this.fireOnce(limit);
        if (this.deps.store.dialect === 'sqlite' && result.claimed > 0) {
          // SQLite: size the next claim so that a batch holds the one connection about
          // SQLITE_BATCH_TARGET_MS (the API's reads wait behind it), whatever the machine's speed.
          const perTimer = (performance.now() - t0) / result.claimed;
          this.limit = Math.max(MIN_ADAPTIVE_BATCH, Math.min(this.batchSize, Math.floor(SQLITE_BATCH_TARGET_MS / perTimer)));
        }
        if (result.claimed >= limit || (result.deferred ?? 0) > 0) {
          // Catching up: let the requests that queued behind the batch run before the next one.
          // On SQLite they share its one connection, and a request makes several queries in
          // turn: a short pause lets those in flight finish rather than get one query per batch.
          if (this.deps.store.dialect === 'sqlite') await new Promise<void>((resolve) => setTimeout(resolve, SQLITE_CATCH_UP_PAUSE_MS));
          else await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        const now = this.deps.clock.now();
        const earliest = await nextClaimableAt(this.deps.store.db, now);
        const delay = earliest === null ? this.maxSleepMs : Math.max(0, Math.min(earliest - now, this.maxSleepMs));
        if (delay > 0) await this.sleep(delay, now + delay);
      } catch (err) {
        this.options.log?.(`timer loop: ${(err as Error).message}`);
        await this.sleep(this.maxSleepMs, this.deps.clock.now() + this.maxSleepMs);
      }
    }
  }

  /**
   * One round of batches: on PostgreSQL `workers` batches at once (their claims are disjoint
   * under SKIP LOCKED, each locks its tickets in id order), so one batch's database work overlaps
   * another's engine work; SQLite has one connection and runs one.
   */
  private async fireOnce(limit: number): Promise<FireResult> {
    if (this.workers <= 1) return fireDueTimers(this.deps, limit);
    const results = await Promise.all(Array.from({ length: this.workers }, () => fireDueTimers(this.deps, limit)));
    return {
      claimed: Math.max(...results.map((r) => r.claimed)),
      fired: results.reduce((n, r) => n + r.fired, 0),
      stale: results.reduce((n, r) => n + r.stale, 0),
      deferred: results.reduce((n, r) => n + (r.deferred ?? 0), 0),
    };
  }

  private sleep(ms: number, until: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.sleepingUntil = until;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.sleepingUntil = Infinity;
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, SET_TIMEOUT_MAX));
      this.wakeUp = done;
    });
  }
}
