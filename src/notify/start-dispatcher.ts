/**
 * The `notifier` service loop around the dispatcher. Modes:
 *   running  — pass after pass while rows are claimed;
 *   idle     — sleeps until the earliest waiting row is due, at most `pollMs` (rows written by
 *              other processes are seen within that), or until `wake()` (a commit in this
 *              process queued something);
 *   stopping — `stop()` ends the sleep, lets the current pass finish the messages it has begun
 *              (the rows it claimed but has not begun go back to pending at once, for another
 *              node's dispatcher — dispatcher.halt()), and resolves.
 * Errors in a pass are reported and the loop carries on after a short pause: a row is never
 * lost, at worst its lease expires and it is claimed again.
 */
import { createDispatcher, DEFAULT_DISPATCHER_OPTIONS, type DispatcherDeps } from './dispatcher.ts';
import { nextDueAt } from './outbox-queue.ts';

export interface RunningDispatcher {
  stop(): Promise<void>;
  wake(): void;
}

export function startDispatcher(deps: DispatcherDeps): RunningDispatcher {
  const dispatcher = createDispatcher(deps);
  const pollMs = deps.options?.pollMs ?? DEFAULT_DISPATCHER_OPTIONS.pollMs;
  let stopped = false;
  let woken = false;
  let interrupt: (() => void) | null = null;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopped) return resolve();
      const timer = setTimeout(() => {
        interrupt = null;
        resolve();
      }, ms);
      interrupt = () => {
        clearTimeout(timer);
        interrupt = null;
        resolve();
      };
    });

  const loop = async () => {
    while (!stopped) {
      woken = false;
      let claimed = 0;
      try {
        claimed = await dispatcher.runDue();
      } catch (err) {
        deps.onError?.(err);
        await pause(pollMs);
        continue;
      }
      if (claimed > 0 || stopped) continue;
      let delay = pollMs;
      try {
        const next = await nextDueAt(deps.store.db);
        if (next !== null) delay = Math.max(0, Math.min(pollMs, next - deps.clock.now()));
      } catch (err) {
        deps.onError?.(err);
      }
      await pause(delay);
    }
  };
  const done = loop();
  return {
    wake() {
      woken = true;
      interrupt?.();
    },
    async stop() {
      stopped = true;
      dispatcher.halt();
      interrupt?.();
      await done;
      for (const c of Object.values(deps.channels)) await c?.close?.();
    },
  };
}
