import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.ts';
import type { CalendarSpec } from '../../src/domain/policy/types.ts';
import {
  H,
  always,
  alwaysNewYork,
  emeaBusiness,
  lateShift,
  lordHowe,
  nightBerlin,
  nightNewYork,
  santiagoWeekend,
  t,
  usBusiness,
} from './calendar-reference.ts';

const specs = [
  usBusiness,
  emeaBusiness,
  always,
  nightNewYork,
  nightBerlin,
  lateShift,
  alwaysNewYork,
  santiagoWeekend,
  lordHowe,
];
const calendars = specs.map((spec) => ({ spec, cal: new BusinessCalendar(spec) }));

const START = t('2025-12-01T00:00Z');
const END = t('2028-01-31T00:00Z');
/** Instants in the range, often on whole hours or minutes so that interval bounds get hit exactly. */
const instant = fc.oneof(
  fc.integer({ min: START, max: END }),
  fc.integer({ min: START / H, max: END / H }).map((h) => h * H),
  fc.integer({ min: START / 60_000, max: END / 60_000 }).map((m) => m * 60_000),
);
/** Durations up to 600 h, often whole hours. */
const duration = fc.oneof(
  fc.integer({ min: 0, max: 600 * H }),
  fc.integer({ min: 0, max: 600 }).map((h) => h * H),
  fc.constant(0),
);
const calendar = fc.constantFrom(...calendars);
const runs = { numRuns: 300 };

/**
 * An independent oracle for add: walks local days one by one from the spec (no week blocks,
 * no day cache), taking only the local→instant mapping from the calendar under test.
 */
function naiveAdd(spec: CalendarSpec, cal: BusinessCalendar, from: number, ms: number): number {
  if (ms === 0) return from;
  let rem = ms;
  const holidays = new Set(spec.holidays);
  const day = new Date(`${cal.localParts(from).date}T00:00:00Z`);
  for (let n = 0; n < 3000; n++, day.setUTCDate(day.getUTCDate() + 1)) {
    const date = day.toISOString().slice(0, 10);
    if (holidays.has(date)) continue;
    const weekday = (day.getUTCDay() + 6) % 7;
    const intervals = spec.alwaysOpen ? [{ start: 0, end: 1440 }] : (spec.week[weekday] ?? []);
    for (const iv of intervals) {
      const s = Math.max(cal.instantOf(date, iv.start), from);
      const e = cal.instantOf(date, iv.end);
      if (e <= s) continue;
      if (rem <= e - s) return s + rem;
      rem -= e - s;
    }
  }
  return Infinity;
}

describe('calendar properties', () => {
  it('add agrees with a day-by-day walk of the spec', () => {
    fc.assert(
      fc.property(calendar, instant, duration, ({ spec, cal }, from, ms) => {
        expect(cal.add(from, ms)).toBe(naiveAdd(spec, cal, from, ms));
      }),
      runs,
    );
  });

  it('add then between gives back the duration', () => {
    fc.assert(
      fc.property(calendar, instant, duration, ({ cal }, from, ms) => {
        expect(cal.between(from, cal.add(from, ms))).toBe(ms);
      }),
      runs,
    );
  });

  it('add lands inside business time or on an interval end, and no earlier instant reaches the duration', () => {
    fc.assert(
      fc.property(calendar, instant, duration, ({ cal }, from, ms) => {
        const due = cal.add(from, ms);
        if (ms === 0) {
          expect(due).toBe(from);
          return;
        }
        // The millisecond just before the due moment is business time: due is in (start, end].
        expect(cal.isOpen(due - 1)).toBe(true);
        expect(cal.between(from, due - 1)).toBe(ms - 1);
      }),
      runs,
    );
  });

  it('add is monotonic in from', () => {
    fc.assert(
      fc.property(calendar, instant, instant, duration, ({ cal }, x, y, ms) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        expect(cal.add(a, ms)).toBeLessThanOrEqual(cal.add(b, ms));
      }),
      runs,
    );
  });

  it('add is monotonic in ms', () => {
    fc.assert(
      fc.property(calendar, instant, duration, duration, ({ cal }, from, x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        expect(cal.add(from, a)).toBeLessThanOrEqual(cal.add(from, b));
      }),
      runs,
    );
  });

  it('add composes: add(add(from, x), y) = add(from, x + y)', () => {
    fc.assert(
      fc.property(calendar, instant, duration, duration, ({ cal }, from, x, y) => {
        expect(cal.add(cal.add(from, x), y)).toBe(cal.add(from, x + y));
      }),
      runs,
    );
  });

  it('between is additive: between(a, b) + between(b, c) = between(a, c)', () => {
    fc.assert(
      fc.property(calendar, instant, instant, instant, ({ cal }, x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p - q) as [number, number, number];
        expect(cal.between(a, b) + cal.between(b, c)).toBe(cal.between(a, c));
      }),
      runs,
    );
  });

  it('between never exceeds wall-clock time and is 0 backwards', () => {
    fc.assert(
      fc.property(calendar, instant, instant, ({ cal }, a, b) => {
        const ms = cal.between(a, b);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(Math.max(0, b - a));
        if (b <= a) expect(ms).toBe(0);
      }),
      runs,
    );
  });

  it('nextOpening is open (or the instant itself when open) and nothing in between is business time', () => {
    fc.assert(
      fc.property(calendar, instant, ({ cal }, at) => {
        const next = cal.nextOpening(at);
        expect(cal.isOpen(next)).toBe(true);
        expect(next === at).toBe(cal.isOpen(at));
        expect(cal.between(at, next)).toBe(0);
      }),
      runs,
    );
  });

  it('localParts and instantOf round-trip on whole minutes', () => {
    fc.assert(
      fc.property(calendar, fc.integer({ min: START / 60_000, max: END / 60_000 }), ({ cal }, minute) => {
        const at = minute * 60_000;
        const parts = cal.localParts(at);
        const back = cal.instantOf(parts.date, parts.minute);
        // Equal, except in the second pass of a repeated hour, which maps to its first occurrence.
        expect(back === at || (back < at && at - back <= 2 * H)).toBe(true);
        expect(cal.localParts(back)).toEqual(parts);
      }),
      runs,
    );
  });
});
