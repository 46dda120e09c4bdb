/**
 * `calendars:` — a time zone, weekly hours (several `HH:MM-HH:MM` intervals a day; keys are
 * weekdays `mon`…`sun` or ranges `mon-fri`, a range may wrap `fri-mon`; a day may be `[]`,
 * closed) or `24x7`, and holidays (whole local days).
 */
import { IANAZone } from 'luxon';
import { asMap, asSeq, checkKeys, get, join, at, readDate, readString, describe, type Problems } from './reader.ts';
import type { PNode } from './source-tree.ts';
import { WEEKDAYS, type CalendarSpec, type Interval, type Weekday } from './types.ts';

const CLOCK = /^(\d{1,2}):(\d{2})$/;

/** Minutes after midnight for `HH:MM` (`24:00` only when `allowEnd`); null when malformed. */
export function parseClock(text: string, allowEnd = false): number | null {
  const m = CLOCK.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  if (h === 24 && min === 0 && allowEnd) return 1440;
  if (h > 23) return null;
  return h * 60 + min;
}

/** Weekday indexes (0 = mon) named by `mon` or a range `mon-fri`; null when not a day. */
export function parseDays(key: string): number[] | null {
  const parts = key.split('-').map((s) => s.trim().toLowerCase());
  const idx = parts.map((s) => WEEKDAYS.indexOf(s as Weekday));
  if (idx.some((i) => i < 0)) return null;
  if (idx.length === 1) return [idx[0] as number];
  if (idx.length !== 2) return null;
  const [from, to] = idx as [number, number];
  const days: number[] = [];
  for (let d = from; ; d = (d + 1) % 7) {
    days.push(d);
    if (d === to) break;
  }
  return days;
}

function fmt(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function readInterval(p: Problems, node: PNode, path: string): Interval | undefined {
  const s = readString(p, node, path, 'an interval "HH:MM-HH:MM"');
  if (s === undefined) return undefined;
  const halves = s.split('-').map((x) => x.trim());
  const start = halves.length === 2 ? parseClock(halves[0] ?? '') : null;
  const end = halves.length === 2 ? parseClock(halves[1] ?? '', true) : null;
  if (start === null || end === null) {
    p.add(path, `"${s}" is not an interval; write "HH:MM-HH:MM" with 24-hour times, e.g. "09:00-17:00" (the end may be 24:00)`, node.line);
    return undefined;
  }
  if (end <= start) {
    p.add(path, `interval "${s}" ends before it starts; an interval cannot cross midnight (split it over two days)`, node.line);
    return undefined;
  }
  return { start, end };
}

function readHours(p: Problems, node: PNode, path: string): { alwaysOpen: boolean; week: Interval[][] } | undefined {
  if (node.kind === 'scalar' && node.value === '24x7') return { alwaysOpen: true, week: [] };
  if (node.kind !== 'map') {
    p.add(path, `expected 24x7 or a map of weekdays to intervals (e.g. mon-fri: ["09:00-17:00"]), found ${describe(node)}`, node.line);
    return undefined;
  }
  const week: Interval[][] = WEEKDAYS.map(() => []);
  const givenBy = new Map<number, string>();
  let ok = true;
  for (const entry of node.entries) {
    const dayPath = join(path, entry.key);
    const days = parseDays(entry.key);
    if (!days) {
      p.add(dayPath, `"${entry.key}" is not a weekday or range; use mon, tue, wed, thu, fri, sat, sun or a range like mon-fri`, entry.keyLine);
      ok = false;
      continue;
    }
    const repeated = days.filter((d) => givenBy.has(d));
    if (repeated.length > 0) {
      const names = repeated.map((d) => `${WEEKDAYS[d]} (already in "${givenBy.get(d)}")`).join(', ');
      p.add(dayPath, `a day is given twice: ${names}`, entry.keyLine);
      ok = false;
      continue;
    }
    const list = asSeq(p, entry.value, dayPath, 'a list of intervals like ["09:00-17:00"] ([] for closed)');
    if (!list) {
      ok = false;
      continue;
    }
    const intervals: Interval[] = [];
    list.items.forEach((item, i) => {
      const iv = readInterval(p, item, at(dayPath, i));
      if (iv) intervals.push(iv);
      else ok = false;
    });
    intervals.sort((a, b) => a.start - b.start);
    for (let i = 1; i < intervals.length; i++) {
      const prev = intervals[i - 1] as Interval;
      const cur = intervals[i] as Interval;
      if (cur.start < prev.end) {
        p.add(dayPath, `intervals overlap: ${fmt(prev.start)}-${fmt(prev.end)} and ${fmt(cur.start)}-${fmt(cur.end)}`, entry.value.line);
        ok = false;
      }
    }
    for (const d of days) {
      givenBy.set(d, entry.key);
      week[d] = intervals.map((iv) => ({ ...iv }));
    }
  }
  if (ok && week.every((day) => day.length === 0)) {
    p.add(path, 'the calendar has no business hours at all; give at least one interval or use 24x7', node.line);
    return undefined;
  }
  return ok ? { alwaysOpen: false, week } : undefined;
}

export function readCalendars(p: Problems, node: PNode | undefined, path: string): { specs: Record<string, CalendarSpec>; ids: Set<string> } {
  // No prototype: a calendar id is the document's key, and "__proto__" or "constructor" must be just an id.
  const specs: Record<string, CalendarSpec> = Object.create(null) as Record<string, CalendarSpec>;
  const ids = new Set<string>();
  if (!node) return { specs, ids };
  const map = asMap(p, node, path, 'a map of calendar ids to calendars');
  if (!map) return { specs, ids };
  for (const entry of map.entries) {
    ids.add(entry.key);
    const cPath = join(path, entry.key);
    const cal = asMap(p, entry.value, cPath, 'a calendar (timezone, hours, holidays)');
    if (!cal) continue;
    checkKeys(p, cal, cPath, ['timezone', 'hours', 'holidays'], ['timezone', 'hours']);
    const tzNode = get(cal, 'timezone');
    let timezone: string | undefined;
    if (tzNode) {
      timezone = readString(p, tzNode, join(cPath, 'timezone'), 'an IANA time zone like Europe/Berlin');
      if (timezone !== undefined && !IANAZone.isValidZone(timezone)) {
        p.add(join(cPath, 'timezone'), `unknown time zone "${timezone}"; use an IANA name like America/New_York, Europe/Berlin or UTC`, tzNode.line);
        timezone = undefined;
      }
    }
    const hoursNode = get(cal, 'hours');
    const hours = hoursNode ? readHours(p, hoursNode, join(cPath, 'hours')) : undefined;
    const holidays = readHolidays(p, get(cal, 'holidays'), join(cPath, 'holidays'));
    if (timezone !== undefined && hours && holidays) {
      specs[entry.key] = { id: entry.key, timezone, alwaysOpen: hours.alwaysOpen, week: hours.week, holidays };
    }
  }
  return { specs, ids };
}

function readHolidays(p: Problems, node: PNode | undefined, path: string): string[] | undefined {
  if (!node) return [];
  const list = asSeq(p, node, path, 'a list of dates YYYY-MM-DD');
  if (!list) return undefined;
  const out = new Set<string>();
  let ok = true;
  list.items.forEach((item, i) => {
    const d = readDate(p, item, at(path, i));
    if (d === undefined) ok = false;
    else out.add(d);
  });
  return ok ? [...out].sort() : undefined;
}
