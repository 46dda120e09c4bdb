import type { CalendarSpec, Interval } from './policy/types.ts';
import {
  DAY_MS,
  MINUTE_MS,
  civilFromDays,
  daysFromCivil,
  formatDate,
  parseDate,
  weekdayOf,
} from './calendar-civil.ts';
import { ZoneTime } from './calendar-zone.ts';
import { CalendarSpecError, validateSpec } from './calendar-spec.ts';

export { CalendarSpecError, validateSpec };

/**
 * Business-time arithmetic over one calendar (the contract (docs/contract.md) §3 "Business time", §8.2).
 *
 * Terms used below:
 * - day number: local civil day, 0 = 1970-01-01 (see calendar-civil.ts). A local day is the
 *   half-open span of instants [instant of its 00:00, instant of the next day's 00:00).
 * - span: one business interval of one day as absolute epoch-ms bounds [start, end). Bounds
 *   are the instants of the local wall-clock bounds, so the time counted is the real time
 *   elapsed between them; a bound inside a skipped hour moves to the end of the gap, a
 *   bound inside a repeated hour means its first occurrence (calendar-zone.ts).
 * - year: the local days of one civil year. Its spans are computed once, in order, into flat
 *   arrays with a running sum of business time (`cum[i]` = business ms before span i), so
 *   add, between, nextOpening and isOpen are binary searches in one or a few years, whatever
 *   the duration: no per-call walk over days or weeks. Years are exact (holidays and DST days
 *   are built from their real days, not assumed); zone offsets come from the zone's
 *   transition table (calendar-zone.ts), not one tz-data query per day.
 */

interface Year {
  /** Civil year. */
  y: number;
  /** Instant of local 00:00 of January 1st (or of the first valid time after it). */
  start: number;
  /** Instant of local 00:00 of the next January 1st. */
  end: number;
  /** Span starts and ends, ascending, only non-empty spans. */
  s: number[];
  e: number[];
  /** cum[i]: business ms of the year before span i; cum[n] = total. */
  cum: number[];
  total: number;
}

/** Days outside years 1–9999 are refused (instants) or treated as unreachable (results). */
const MIN_DAY = -719_162;
const MAX_DAY = 2_932_896;
const MIN_INSTANT = (MIN_DAY + 2) * DAY_MS;
const MAX_INSTANT = (MAX_DAY - 2) * DAY_MS;
const MIN_YEAR = 1;
const MAX_YEAR = 9999;
/** nextOpening gives up after this many days; add after this many years without business time. */
const HORIZON_DAYS = 5 * 366;
const HORIZON_YEARS = 5;
/** Past this many cached years the cache is dropped and rebuilt on demand. */
const CACHE_LIMIT = 512;

export class BusinessCalendar {
  readonly id: string;
  private readonly zone: ZoneTime;
  private readonly alwaysOpen: boolean;
  private readonly pattern: Interval[][];
  private readonly holidays: ReadonlySet<number>;
  /** Nominal business ms of a week (local minutes); 0 means the calendar never opens. */
  private readonly weeklyMs: number;
  private years = new Map<number, Year>();
  private lastYear: Year | undefined;

  constructor(spec: CalendarSpec) {
    const problems = validateSpec(spec);
    if (problems.length > 0) throw new CalendarSpecError(String(spec.id), problems);
    this.id = spec.id;
    this.zone = new ZoneTime(spec.timezone);
    this.alwaysOpen = spec.alwaysOpen;
    this.pattern = spec.alwaysOpen
      ? []
      : spec.week.map((day) => day.map((iv) => ({ start: iv.start, end: iv.end })));
    this.holidays = new Set(spec.holidays.map((h) => parseDate(h) as number));
    this.weeklyMs = spec.alwaysOpen
      ? 7 * DAY_MS
      : this.pattern.flat().reduce((sum, iv) => sum + (iv.end - iv.start) * MINUTE_MS, 0);
  }

  /**
   * The earliest instant at which the business time elapsed since `from` reaches `ms`.
   * add(from, 0) === from; a due landing exactly on an interval's end is that end.
   * Infinity when the calendar never accumulates that much time (or `from` is Infinity).
   */
  add(from: number, ms: number): number {
    if (from === Infinity) return Infinity;
    this.checkInstant(from, 'add(from)');
    if (!(ms >= 0))
      throw new RangeError(`calendar "${this.id}": add(ms) must be a non-negative duration in ms, got ${ms}`);
    if (ms === 0) return from;
    if (this.weeklyMs === 0 || ms === Infinity) return Infinity;
    let year = this.yearOf(from);
    // Business time of the year before `from`, plus the duration: the target running sum.
    let target = elapsedIn(year, from) + ms;
    let idle = 0;
    while (target > year.total) {
      target -= year.total;
      if (year.y >= MAX_YEAR) return Infinity;
      year = this.year(year.y + 1);
      idle = year.total === 0 ? idle + 1 : 0;
      if (idle > HORIZON_YEARS) return Infinity;
    }
    // The first span whose end reaches the target: cum[j] < target <= cum[j + 1].
    const cum = year.cum;
    let lo = 0;
    let hi = year.s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid + 1] as number) >= target) hi = mid;
      else lo = mid + 1;
    }
    const at = (year.s[lo] as number) + (target - (cum[lo] as number));
    return at > MAX_INSTANT ? Infinity : at;
  }

  /** Business time (ms) in [a, b); 0 if b <= a. */
  between(a: number, b: number): number {
    this.checkInstant(a, 'between(a)');
    this.checkInstant(b, 'between(b)');
    if (!(b > a)) return 0;
    const ya = this.yearOf(a);
    const ea = elapsedIn(ya, a);
    const yb = this.yearOf(b);
    const eb = elapsedIn(yb, b);
    if (ya === yb) return eb - ea;
    let total = ya.total - ea + eb;
    for (let y = ya.y + 1; y < yb.y; y++) total += this.year(y).total;
    return total;
  }

  /** `at` if inside business time, else the start of the next business interval (Infinity if none within ~5 years). */
  nextOpening(at: number): number {
    this.checkInstant(at, 'nextOpening(at)');
    if (this.weeklyMs === 0) return Infinity;
    let year = this.yearOf(at);
    const i = firstEndAfter(year, at);
    if (i < year.s.length) return Math.max(year.s[i] as number, at);
    // Nothing later this year: the first span of a later year, within the horizon.
    const limit = (Math.floor((at + this.zone.offsetAt(at)) / DAY_MS) + HORIZON_DAYS + 1) * DAY_MS;
    while (year.y < MAX_YEAR && year.end <= limit) {
      year = this.year(year.y + 1);
      if (year.s.length > 0) {
        const first = year.s[0] as number;
        return first + this.zone.offsetAt(first) < limit ? first : Infinity;
      }
    }
    return Infinity;
  }

  isOpen(at: number): boolean {
    this.checkInstant(at, 'isOpen(at)');
    const year = this.yearOf(at);
    const i = firstEndAfter(year, at);
    return i < year.s.length && (year.s[i] as number) <= at;
  }

  /** Local date, weekday (0 = Monday) and minute of the day (0–1439) of an instant. */
  localParts(at: number): { date: string; weekday: number; minute: number } {
    this.checkInstant(at, 'localParts(at)');
    let d = Math.floor((at + this.zone.offsetAt(at)) / DAY_MS);
    let start = this.midnight(d);
    while (at < start) start = this.midnight(--d);
    let end = this.midnight(d + 1);
    while (at >= end) {
      start = end;
      end = this.midnight(++d + 1);
    }
    const offset = end - start === DAY_MS ? d * DAY_MS - start : this.zone.offsetAt(at);
    const minute = Math.min(1439, Math.max(0, Math.floor((at + offset - d * DAY_MS) / MINUTE_MS)));
    return { date: formatDate(d), weekday: weekdayOf(d), minute };
  }

  /**
   * The instant of local `date` (YYYY-MM-DD) at `minute` after midnight (0–1440; 1440 is the
   * next day's 00:00). A minute inside a DST gap moves to the first valid local time after it;
   * one inside a repeated hour means its first occurrence.
   */
  instantOf(date: string, minute: number): number {
    const d = parseDate(date);
    if (d === null || d <= MIN_DAY + 2 || d >= MAX_DAY - 2) {
      throw new RangeError(
        `calendar "${this.id}": instantOf(date) must be a real date YYYY-MM-DD in years 1-9999, got "${date}"`,
      );
    }
    if (!(minute >= 0 && minute <= 1440)) {
      throw new RangeError(
        `calendar "${this.id}": instantOf(minute) must be between 0 and 1440, got ${minute}`,
      );
    }
    const start = this.midnight(d);
    return this.bound(d, start, this.midnight(d + 1), minute);
  }

  private checkInstant(at: number, what: string): void {
    if (!(at >= MIN_INSTANT && at <= MAX_INSTANT)) {
      throw new RangeError(
        `calendar "${this.id}": ${what} must be an epoch-ms instant within years 1-9999, got ${at}`,
      );
    }
  }

  /** The year whose local days contain an instant. */
  private yearOf(at: number): Year {
    const last = this.lastYear;
    if (last && at >= last.start && at < last.end) return last;
    let year = this.year(civilFromDays(Math.floor((at + this.zone.offsetAt(at)) / DAY_MS)).year);
    while (at < year.start && year.y > MIN_YEAR) year = this.year(year.y - 1);
    while (at >= year.end && year.y < MAX_YEAR) year = this.year(year.y + 1);
    this.lastYear = year;
    return year;
  }

  private year(y: number): Year {
    let year = this.years.get(y);
    if (!year) {
      if (this.years.size >= CACHE_LIMIT) {
        this.years = new Map();
        this.lastYear = undefined;
      }
      year = this.buildYear(y);
      this.years.set(y, year);
    }
    return year;
  }

  /** Every span of the local days of civil year y, in order, with their running sum. */
  private buildYear(y: number): Year {
    const first = daysFromCivil(y, 1, 1);
    const last = daysFromCivil(y + 1, 1, 1);
    const s: number[] = [];
    const e: number[] = [];
    const cum: number[] = [0];
    let total = 0;
    let end = this.midnight(first);
    const yearStart = end;
    for (let d = first; d < last; d++) {
      const start = end;
      end = this.midnight(d + 1);
      if (this.holidays.has(d)) continue;
      const intervals = this.alwaysOpen ? ALL_DAY : (this.pattern[weekdayOf(d)] ?? []);
      for (const iv of intervals) {
        const a = this.bound(d, start, end, iv.start);
        const b = this.bound(d, start, end, iv.end);
        if (b > a) {
          s.push(a);
          e.push(b);
          total += b - a;
          cum.push(total);
        }
      }
    }
    return { y, start: yearStart, end, s, e, cum, total };
  }

  /** Instant of local minute `minute` (0–1440) of day d, which runs from `start` to `end`. */
  private bound(d: number, start: number, end: number, minute: number): number {
    if (minute === 0) return start;
    if (minute === 1440) return end;
    // Midnight to midnight in exactly 24 h: the offset does not change during the day (no zone
    // in tzdb changes offset and back within one day), so every bound is start + minutes.
    if (end - start === DAY_MS) return start + minute * MINUTE_MS;
    return this.zone.instantOfLocal(d * DAY_MS + minute * MINUTE_MS);
  }

  /** Instant of local 00:00 of day d (or of the first valid time after it). */
  private midnight(d: number): number {
    return this.zone.instantOfLocal(d * DAY_MS);
  }
}

const ALL_DAY: Interval[] = [{ start: 0, end: 1440 }];

/** Index of the first span of the year ending after `at` (s.length if none). */
function firstEndAfter(year: Year, at: number): number {
  const e = year.e;
  let lo = 0;
  let hi = e.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((e[mid] as number) > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Business ms of the year before `at` (at inside the year's days). */
function elapsedIn(year: Year, at: number): number {
  const i = firstEndAfter(year, at);
  if (i >= year.s.length) return year.total;
  return (year.cum[i] as number) + Math.max(0, at - (year.s[i] as number));
}
