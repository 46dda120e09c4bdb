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
import { fireDueTimers, type FireDeps } from '../app/fire-timers.ts';

export interface TimerLoopOptions {
  maxSleepMs?: number;
  batchSize?: number;
  log?: (msg: string) => void;
}

const SET_TIMEOUT_MAX = 2 ** 31 - 1;

export class TimerLoop {
  private stopped = false;
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private sleepingUntil = Infinity;
  private readonly maxSleepMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly deps: FireDeps,
    private readonly options: TimerLoopOptions = {},
  ) {
    this.maxSleepMs = Math.min(options.maxSleepMs ?? 1000, SET_TIMEOUT_MAX);
    this.batchSize = options.batchSize ?? 500;
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
        const result = await fireDueTimers(this.deps, this.batchSize);
        if (result.claimed >= this.batchSize || (result.deferred ?? 0) > 0) {
          // Catching up: let the requests that queued behind the batch run before the next one
          // (on SQLite they share its one connection).
          await new Promise<void>((resolve) => setImmediate(resolve));
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
