/**
 * SLA clock arithmetic (the contract (docs/contract.md) §3, §8.2–§8.3), on one clock at a time.
 *
 * A clock is `running` (accumulating business time from `since`), `paused` (not accumulating;
 * `elapsed` holds everything counted so far), or ended (`fulfilled` / `stopped`). Every
 * moment a running clock owes — each unfired warning and the breach — is derived from its
 * elapsed time and target: the earliest instant at which elapsed business time reaches the
 * threshold. A threshold already reached (after a resume or a re-application) is due at
 * `since`, the moment of the change, so it fires at once; one already fired in this cycle is
 * never owed again.
 */
import type { BusinessCalendar } from '../calendar.ts';
import type { Metric, Threshold } from '../policy/types.ts';
import type { ClockState, Timer } from './types.ts';

export function startClock(metric: Metric, target: number, at: number, cycle: number): ClockState {
  return {
    metric,
    status: 'running',
    target,
    elapsed: 0,
    since: at,
    startedAt: at,
    cycle,
    warned: [],
    breached: false,
    breachedAt: null,
  };
}

export function elapsedAt(clock: ClockState, cal: BusinessCalendar, at: number): number {
  if (clock.status !== 'running' || clock.since === null) return clock.elapsed;
  return clock.elapsed + cal.between(clock.since, at);
}

/** The instant a running clock's elapsed time reaches `mark` (ms of business time). */
function momentOf(clock: ClockState, cal: BusinessCalendar, mark: number): number {
  const since = clock.since ?? 0;
  if (mark <= clock.elapsed) return since;
  return cal.add(since, mark - clock.elapsed);
}

export function thresholdMark(threshold: Threshold, target: number): number | null {
  if (threshold.kind === 'percent') return Math.round(threshold.fraction * target);
  // "A threshold larger than the target is skipped" (§8.2).
  if (threshold.ms > target) return null;
  return target - threshold.ms;
}

/** The due moment of a running or paused clock, for display and for `sla.applied` / `sla.resumed`. */
export function dueOf(clock: ClockState, cal: BusinessCalendar): number | null {
  if (clock.status !== 'running') return null;
  if (clock.breached && clock.breachedAt !== null) return clock.breachedAt;
  return momentOf(clock, cal, clock.target);
}

export function pauseClock(clock: ClockState, cal: BusinessCalendar, at: number): ClockState {
  return { ...clock, status: 'paused', elapsed: elapsedAt(clock, cal, at), since: null };
}

export function resumeClock(clock: ClockState, at: number): ClockState {
  return { ...clock, status: 'running', since: at };
}

/** Ends a clock, freezing its elapsed time. */
export function endClock(
  clock: ClockState,
  cal: BusinessCalendar,
  at: number,
  status: 'fulfilled' | 'stopped',
): ClockState {
  return { ...clock, status, elapsed: elapsedAt(clock, cal, at), since: null };
}

/**
 * Re-application: a new target (other policy or priority) on a clock, keeping its elapsed
 * time; the running segment restarts at `at` so later moments are computed from there.
 */
export function retarget(clock: ClockState, cal: BusinessCalendar, at: number, target: number): ClockState {
  if (clock.status === 'running') {
    return { ...clock, target, elapsed: elapsedAt(clock, cal, at), since: at };
  }
  return { ...clock, target };
}

/** Warnings first (in the policy's order), then the breach. Keys are stable per clock. */
export function clockTimers(clock: ClockState, cal: BusinessCalendar, warnAt: readonly Threshold[]): Timer[] {
  if (clock.status !== 'running') return [];
  const timers: Timer[] = [];
  for (const threshold of warnAt) {
    if (clock.warned.includes(threshold.label)) continue;
    const mark = thresholdMark(threshold, clock.target);
    if (mark === null) continue;
    // A warning owed after the breach already fired would say nothing new.
    if (clock.breached) continue;
    timers.push({ key: `sla:${clock.metric}:warn:${threshold.label}`, due: momentOf(clock, cal, mark) });
  }
  if (!clock.breached) timers.push({ key: `sla:${clock.metric}:breach`, due: momentOf(clock, cal, clock.target) });
  return timers;
}
