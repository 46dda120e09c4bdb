/**
 * Trend buckets in the reporting time zone: a day is a local calendar day, a week an ISO
 * week (Monday to Sunday, local). A bucket is labelled by its first local date.
 */
import { DAY_MS, formatDate, weekdayOf } from '../calendar-civil.ts';
import { ZoneTime } from '../calendar-zone.ts';

export type Granularity = 'day' | 'week';

const QUARTER_HOUR_MS = 900_000;
const HALF_DAY_MS = DAY_MS / 2;

export class Bucketer {
  private readonly zone: ZoneTime;
  /**
   * luxon's offset lookup is slow, so offsets are cached: per half day when the offset is the
   * same at both ends of it (no transition inside), else per quarter hour (transitions fall
   * on quarter hours).
   */
  private readonly halfDays = new Map<number, number | null>();
  private readonly offsets = new Map<number, number>();

  constructor(timeZone: string) {
    this.zone = new ZoneTime(timeZone);
  }

  private offsetAt(at: number): number {
    const half = Math.floor(at / HALF_DAY_MS);
    let h = this.halfDays.get(half);
    if (h === undefined) {
      const a = this.zone.offsetAt(half * HALF_DAY_MS);
      const b = this.zone.offsetAt((half + 1) * HALF_DAY_MS - 1);
      h = a === b ? a : null;
      this.halfDays.set(half, h);
    }
    if (h !== null) return h;
    const slot = Math.floor(at / QUARTER_HOUR_MS);
    let o = this.offsets.get(slot);
    if (o === undefined) {
      o = this.zone.offsetAt(slot * QUARTER_HOUR_MS);
      this.offsets.set(slot, o);
    }
    return o;
  }

  /** The local day number of an instant. */
  localDay(at: number): number {
    return Math.floor((at + this.offsetAt(at)) / DAY_MS);
  }

  /** The label (first local date) of the bucket holding an instant. */
  label(at: number, granularity: Granularity): string {
    const day = this.localDay(at);
    return formatDate(granularity === 'day' ? day : day - weekdayOf(day));
  }

  /** Every bucket label from `from` (inclusive) to `to` (exclusive), in order. */
  labels(from: number, to: number, granularity: Granularity): string[] {
    if (to <= from) return [];
    const first = this.localDay(from);
    const last = this.localDay(to - 1);
    const out: string[] = [];
    let day = granularity === 'day' ? first : first - weekdayOf(first);
    const step = granularity === 'day' ? 1 : 7;
    for (; day <= last; day += step) out.push(formatDate(day));
    return out;
  }
}
