/**
 * Turns the report parameters shared by the API and the CLI (strings, as typed) into a
 * KpiQuery, listing every problem at once. Dates:
 * - `YYYY-MM-DD` is a local calendar day in the reporting time zone; `from` is its start and
 *   `to` includes the whole day;
 * - an ISO-8601 instant with an offset is taken as is (`to` exclusive).
 * Without `from`/`to` the period is the last 30 local days, today included.
 */
import { DAY_MS, parseDate } from '../domain/calendar-civil.ts';
import { ZoneTime } from '../domain/calendar-zone.ts';
import { DomainError } from '../domain/errors.ts';
import type { KpiQuery, ReportFilters } from '../domain/reporting/kpis.ts';

export interface ReportParams {
  from?: string | undefined;
  to?: string | undefined;
  tz?: string | undefined;
  asOf?: string | undefined;
  team?: string | undefined;
  level?: string | undefined;
  priority?: string | undefined;
  tier?: string | undefined;
  channel?: string | undefined;
  firstLevel?: string | undefined;
}

export const DEFAULT_TIME_ZONE = 'UTC';
export const DEFAULT_FIRST_LEVEL = 'L1';
const DEFAULT_DAYS = 30;
const MAX_DAYS = 3700;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function parseBound(text: string, zone: ZoneTime, end: boolean, name: string, problems: string[]): number | null {
  const day = parseDate(text);
  if (day !== null) return zone.instantOfLocal((end ? day + 1 : day) * DAY_MS);
  if (INSTANT_RE.test(text) && Number.isFinite(Date.parse(text))) return Date.parse(text);
  problems.push(`${name}: '${text}' is neither a date (YYYY-MM-DD) nor an instant with an offset (2026-12-01T00:00:00Z)`);
  return null;
}

export function parseReportParams(p: ReportParams, now: number, defaults: { timeZone?: string; firstLevel?: string } = {}): KpiQuery {
  const problems: string[] = [];
  const timeZone = p.tz ?? defaults.timeZone ?? DEFAULT_TIME_ZONE;
  let zone = new ZoneTime('UTC');
  if (!ZoneTime.isValid(timeZone)) problems.push(`tz: '${timeZone}' is not an IANA time zone (e.g. UTC, Europe/Paris)`);
  else zone = new ZoneTime(timeZone);

  const asOf = p.asOf === undefined ? now : parseBound(p.asOf, zone, false, 'as_of', problems);
  const today = Math.floor((now + zone.offsetAt(now)) / DAY_MS);
  const to = p.to === undefined ? (p.from === undefined ? zone.instantOfLocal((today + 1) * DAY_MS) : asOf) : parseBound(p.to, zone, true, 'to', problems);
  const from = p.from === undefined ? (to === null ? null : zone.instantOfLocal(Math.floor((to + zone.offsetAt(to)) / DAY_MS - DEFAULT_DAYS) * DAY_MS)) : parseBound(p.from, zone, false, 'from', problems);
  if (from !== null && to !== null) {
    if (from >= to) problems.push(`from/to: the period is empty (from ${new Date(from).toISOString()} is not before to ${new Date(to).toISOString()})`);
    else if (to - from > MAX_DAYS * DAY_MS) problems.push(`from/to: the period spans more than ${MAX_DAYS} days; report on a shorter one`);
  }
  if (p.priority !== undefined && !PRIORITIES.includes(p.priority)) problems.push(`priority: '${p.priority}' is not one of ${PRIORITIES.join(', ')}`);
  const filters: ReportFilters = {};
  for (const key of ['team', 'level', 'priority', 'tier', 'channel'] as const) {
    const v = p[key];
    if (v === undefined) continue;
    if (v.trim() === '' || v.length > 200) problems.push(`${key}: give a non-empty value of at most 200 characters`);
    filters[key] = v;
  }
  if (problems.length > 0 || from === null || to === null || asOf === null) {
    throw new DomainError('VALIDATION_FAILED', problems[0] ?? 'invalid report parameters', { issues: problems });
  }
  return { from, to, timeZone, asOf, filters, firstLevel: p.firstLevel ?? defaults.firstLevel ?? DEFAULT_FIRST_LEVEL };
}
