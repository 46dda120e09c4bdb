/**
 * What a customer may expect of a request, from its SLA clocks: when we will first reply and
 * when we expect to resolve it, as instants and as one sentence in the SLA calendar's time zone.
 */
import type { Metric } from './policy/types.ts';

export interface ClockFacts {
  metric: Metric;
  status: 'running' | 'paused' | 'fulfilled' | 'stopped' | string;
  targetMs: number;
  /** The due instant of a running clock (breach moment when breached); null when paused. */
  due: number | null;
  breached: boolean;
}

export interface Expectations {
  /** ISO instant of the first-response target while no one has replied yet. */
  first_response_due: string | null;
  /** ISO instant the request is expected to be resolved by (null while paused or without a target). */
  resolution_due: string | null;
  /** IANA zone the text uses (the SLA calendar's). */
  time_zone: string | null;
  /** One or two sentences for the customer; null when there is nothing to promise. */
  text: string | null;
}

export const NO_EXPECTATIONS: Expectations = { first_response_due: null, resolution_due: null, time_zone: null, text: null };

export function formatLocal(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(instant);
}

/** "4 business hours", "30 business minutes", "1 hour" (24x7 calendars count plain hours). */
export function formatTarget(ms: number, businessHours: boolean): string {
  const unit = (n: number, word: string) => `${n} ${businessHours ? 'business ' : ''}${word}${n === 1 ? '' : 's'}`;
  if (ms < 3_600_000) return unit(Math.max(1, Math.round(ms / 60_000)), 'minute');
  const hours = Math.round((ms / 3_600_000) * 10) / 10;
  return unit(hours, 'hour');
}

export function describeExpectations(clocks: ClockFacts[], calendar: { timezone: string; alwaysOpen: boolean }): Expectations {
  const tz = calendar.timezone;
  const first = clocks.find((c) => c.metric === 'first_response' && (c.status === 'running' || c.status === 'paused'));
  const resolution = clocks.find((c) => c.metric === 'resolution' && (c.status === 'running' || c.status === 'paused'));
  const lines: string[] = [];
  if (first) {
    const by = first.due !== null && !first.breached ? ` (by ${formatLocal(first.due, tz)})` : '';
    lines.push(first.breached ? 'We are late with our first reply and are on it with priority.' : `We'll reply within ${formatTarget(first.targetMs, !calendar.alwaysOpen)}${by}.`);
  }
  if (resolution) {
    if (resolution.status === 'paused') lines.push('The expected resolution time is paused while we wait for your answer.');
    else if (resolution.due !== null && resolution.breached) lines.push(`We are past the expected resolution time (${formatLocal(resolution.due, tz)}) and are working on it with priority.`);
    else if (resolution.due !== null) lines.push(`We expect to resolve your request by ${formatLocal(resolution.due, tz)}.`);
  }
  const iso = (c: ClockFacts | undefined) => (c && c.status === 'running' && c.due !== null ? new Date(c.due).toISOString() : null);
  return { first_response_due: iso(first), resolution_due: iso(resolution), time_zone: first || resolution ? tz : null, text: lines.length ? lines.join(' ') : null };
}
