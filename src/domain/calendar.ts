import type { CalendarSpec, Interval } from './policy/types.ts';
import { DAY_MS, MINUTE_MS, formatDate, parseDate, weekdayOf } from './calendar-civil.ts';
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
 * - week number: weeks start on Monday; week w is days [7w − 3, 7w + 4).
 * - block (k, i): the 2^k weeks [i·2^k, (i+1)·2^k); its business time is cached, so `add`
 *   and `between` cross long durations in O(log weeks) cached look-ups, exactly (holiday and
 *   DST weeks are summed from their real days, not assumed).
 *
 * Every day's spans are computed once (zone offsets are the expensive part) and cached.
 */

interface Day {
  /** Instant of local 00:00 (or of the first valid time after it). */
  start: number;
  /** Instant of the next day's local 00:00. */
  end: number;
  /** Flat [s0, e0, s1, e1, …], ascending, only non-empty spans. */
  spans: number[];
  /** Business ms in the day. */
  total: number;
  /** The zone offset (ms) valid for the whole day, or NaN when it changes during the day. */
  offset: number;
}

interface Week {
  /** Monday first. */
  days: Day[];
  total: number;
}

/** Days outside years 1–9999 are refused (instants) or treated as unreachable (results). */
const MIN_DAY = -719_162;
const MAX_DAY = 2_932_896;
const MIN_INSTANT = (MIN_DAY + 2) * DAY_MS;
const MAX_INSTANT = (MAX_DAY - 2) * DAY_MS;
/** nextOpening gives up after this many days; add after this many weeks without business time. */
const HORIZON_DAYS = 5 * 366;
const HORIZON_WEEKS = 262;
const MAX_LEVEL = 20;
/** Past this many cached days the caches are dropped and rebuilt on demand. */
const CACHE_LIMIT = 200_000;

export class BusinessCalendar {
  readonly id: string;
  private readonly zone: ZoneTime;
  private readonly alwaysOpen: boolean;
  private readonly pattern: Interval[][];
  private readonly holidays: ReadonlySet<number>;
  /** Nominal business ms of a week (local minutes); 0 means the calendar never opens. */
  private readonly weeklyMs: number;
  private days = new Map<number, Day>();
  private weeks = new Map<number, Week>();
  private midnights = new Map<number, number>();
  private blocks: Array<Map<number, number>> = [];
  private lastNumber = NaN;
  private lastDay: Day | undefined;
  private lastWeekNumber = NaN;
  private lastWeek: Week | undefined;
  private guessOffset: number;

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
    this.guessOffset = this.zone.offsetAt(0);
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
    const d = this.dayNumberOf(from);
    let rem = ms;
    const first = this.day(d).spans;
    for (let i = 0; i < first.length; i += 2) {
      const e = first[i + 1] as number;
      if (e <= from) continue;
      const s = Math.max(first[i] as number, from);
      if (rem <= e - s) return s + rem;
      rem -= e - s;
    }
    // The rest of the first week day by day, then whole weeks in blocks, then the landing week.
    const j0 = weekdayOf(d);
    let w = ((d - j0 + 3) / 7) | 0;
    for (let j = j0 + 1; j < 7; j++) {
      const day = this.day(d + j - j0);
      if (rem <= day.total) return landIn(day, rem);
      rem -= day.total;
    }
    w += 1;
    let idleWeeks = 0;
    skipping: for (;;) {
      if (7 * w > MAX_DAY - 14) return Infinity;
      let k = 0;
      while (k < MAX_LEVEL && (w & ((2 << k) - 1)) === 0 && (2 << k) * this.weeklyMs <= 2 * rem) k++;
      for (; k >= 0; k--) {
        const size = this.block(k, w >> k);
        if (size < rem) {
          rem -= size;
          idleWeeks = size === 0 ? idleWeeks + (1 << k) : 0;
          if (idleWeeks > HORIZON_WEEKS) return Infinity;
          w += 1 << k;
          continue skipping;
        }
      }
      break;
    }
    // Week w holds at least `rem`, so one of its seven days does.
    for (const day of this.week(w).days) {
      if (rem <= day.total) return landIn(day, rem);
      rem -= day.total;
    }
    throw new Error(`calendar "${this.id}": internal error, week ${w} ran short of business time`);
  }

  /** Business time (ms) in [a, b); 0 if b <= a. */
  between(a: number, b: number): number {
    this.checkInstant(a, 'between(a)');
    this.checkInstant(b, 'between(b)');
    if (!(b > a)) return 0;
    const da = this.dayNumberOf(a);
    const db = this.dayNumberOf(b);
    if (da === db) return within(this.day(da), a, b);
    const ja = weekdayOf(da);
    const jb = weekdayOf(db);
    let w = ((da - ja + 3) / 7) | 0;
    const wb = ((db - jb + 3) / 7) | 0;
    let week = this.week(w);
    let total = within(week.days[ja] as Day, a, Infinity);
    if (w === wb) {
      for (let j = ja + 1; j < jb; j++) total += (week.days[j] as Day).total;
    } else {
      for (let j = ja + 1; j < 7; j++) total += (week.days[j] as Day).total;
      for (w += 1; w < wb;) {
        let k = 0;
        while (k < MAX_LEVEL && (w & ((2 << k) - 1)) === 0 && w + (2 << k) <= wb) k++;
        total += this.block(k, w >> k);
        w += 1 << k;
      }
      week = this.week(wb);
      for (let j = 0; j < jb; j++) total += (week.days[j] as Day).total;
    }
    return total + within(week.days[jb] as Day, -Infinity, b);
  }

  /** `at` if inside business time, else the start of the next business interval (Infinity if none within ~5 years). */
  nextOpening(at: number): number {
    this.checkInstant(at, 'nextOpening(at)');
    if (this.weeklyMs === 0) return Infinity;
    let d = this.dayNumberOf(at);
    const spans = this.day(d).spans;
    for (let i = 0; i < spans.length; i += 2) {
      if ((spans[i + 1] as number) > at) return Math.max(spans[i] as number, at);
    }
    for (let n = 0; n < HORIZON_DAYS && d < MAX_DAY - 2; n++) {
      const next = this.day(++d).spans;
      if (next.length > 0) return next[0] as number;
    }
    return Infinity;
  }

  isOpen(at: number): boolean {
    this.checkInstant(at, 'isOpen(at)');
    const spans = this.day(this.dayNumberOf(at)).spans;
    for (let i = 0; i < spans.length; i += 2) {
      if ((spans[i] as number) <= at && at < (spans[i + 1] as number)) return true;
    }
    return false;
  }

  /** Local date, weekday (0 = Monday) and minute of the day (0–1439) of an instant. */
  localParts(at: number): { date: string; weekday: number; minute: number } {
    this.checkInstant(at, 'localParts(at)');
    const d = this.dayNumberOf(at);
    const day = this.day(d);
    const offset = Number.isNaN(day.offset) ? this.zone.offsetAt(at) : day.offset;
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
    return this.bound(d, this.day(d), minute);
  }

  private checkInstant(at: number, what: string): void {
    if (!(at >= MIN_INSTANT && at <= MAX_INSTANT)) {
      throw new RangeError(
        `calendar "${this.id}": ${what} must be an epoch-ms instant within years 1-9999, got ${at}`,
      );
    }
  }

  /** The local day containing an instant. */
  private dayNumberOf(at: number): number {
    let d = Math.floor((at + this.guessOffset) / DAY_MS) | 0;
    let day = this.day(d);
    while (at < day.start) day = this.day(--d);
    while (at >= day.end) day = this.day(++d);
    if (!Number.isNaN(day.offset)) this.guessOffset = day.offset;
    return d;
  }

  private day(d: number): Day {
    if (d === this.lastNumber && this.lastDay) return this.lastDay;
    let day = this.days.get(d);
    if (!day) {
      if (this.days.size >= CACHE_LIMIT) this.dropCaches();
      day = this.buildDay(d);
      this.days.set(d, day);
    }
    this.lastNumber = d;
    this.lastDay = day;
    return day;
  }

  /** Week w: its seven days, Monday first, and their business time. */
  private week(w: number): Week {
    if (w === this.lastWeekNumber && this.lastWeek) return this.lastWeek;
    let week = this.weeks.get(w);
    if (!week) {
      const days: Day[] = [];
      let total = 0;
      for (let d = 7 * w - 3; d < 7 * w + 4; d++) {
        const day = this.day(d);
        days.push(day);
        total += day.total;
      }
      week = { days, total };
      this.weeks.set(w, week);
    }
    this.lastWeekNumber = w;
    this.lastWeek = week;
    return week;
  }

  private buildDay(d: number): Day {
    const start = this.midnight(d);
    const end = this.midnight(d + 1);
    // Midnight to midnight in exactly 24 h: the offset does not change during the day (no zone
    // in tzdb changes offset and back within one day), so every bound is start + minutes.
    const uniform = end - start === DAY_MS;
    const day: Day = { start, end, spans: [], total: 0, offset: uniform ? d * DAY_MS - start : NaN };
    if (this.holidays.has(d)) return day;
    const intervals = this.alwaysOpen ? [{ start: 0, end: 1440 }] : (this.pattern[weekdayOf(d)] ?? []);
    for (const iv of intervals) {
      const s = this.bound(d, day, iv.start);
      const e = this.bound(d, day, iv.end);
      if (e > s) {
        day.spans.push(s, e);
        day.total += e - s;
      }
    }
    return day;
  }

  /** Instant of local minute `minute` (0–1440) of day d. */
  private bound(d: number, day: Day, minute: number): number {
    if (minute === 0) return day.start;
    if (minute === 1440) return day.end;
    if (!Number.isNaN(day.offset)) return day.start + minute * MINUTE_MS;
    return this.zone.instantOfLocal(d * DAY_MS + minute * MINUTE_MS);
  }

  private midnight(d: number): number {
    let at = this.midnights.get(d);
    if (at === undefined) {
      at = this.zone.instantOfLocal(d * DAY_MS);
      this.midnights.set(d, at);
    }
    return at;
  }

  /** Business ms of weeks [i·2^k, (i+1)·2^k). */
  private block(k: number, i: number): number {
    let level = this.blocks[k];
    if (!level) {
      level = new Map();
      this.blocks[k] = level;
    }
    let size = level.get(i);
    if (size === undefined) {
      if (k === 0) {
        size = this.week(i).total;
      } else {
        size = this.block(k - 1, 2 * i) + this.block(k - 1, 2 * i + 1);
      }
      level.set(i, size);
    }
    return size;
  }

  private dropCaches(): void {
    this.days = new Map();
    this.weeks = new Map();
    this.lastWeekNumber = NaN;
    this.lastWeek = undefined;
    this.midnights = new Map();
    this.blocks = [];
    this.lastNumber = NaN;
    this.lastDay = undefined;
  }
}

/** The instant at which `rem` (0 < rem <= day.total) business ms of the day have elapsed. */
function landIn(day: Day, rem: number): number {
  const spans = day.spans;
  for (let i = 0; i < spans.length; i += 2) {
    const len = (spans[i + 1] as number) - (spans[i] as number);
    if (rem <= len) return (spans[i] as number) + rem;
    rem -= len;
  }
  return day.end;
}

/** Business ms of a day inside [a, b). */
function within(day: Day, a: number, b: number): number {
  let total = 0;
  const spans = day.spans;
  for (let i = 0; i < spans.length; i += 2) {
    const s = Math.max(spans[i] as number, a);
    const e = Math.min(spans[i + 1] as number, b);
    if (e > s) total += e - s;
  }
  return total;
}
