import { IANAZone } from 'luxon';
import { DAY_MS } from './calendar-civil.ts';

const HOUR_MS = 3_600_000;
const MEMO_LIMIT = 50_000;

/**
 * Wall-clock time of one IANA zone, in both directions, through luxon's zone data.
 *
 * A "local" value is the wall-clock reading written as milliseconds since 1970-01-01T00:00
 * local (as if that reading were UTC). Mapping an instant to local is `at + offsetAt(at)`.
 * Mapping local to an instant has two awkward cases, settled here once for the whole engine:
 * - a reading that occurs twice (the repeated hour when clocks go back) means its FIRST
 *   occurrence, so an interval spanning the repeated hour counts it twice;
 * - a reading that never occurs (the hour skipped when clocks go forward) moves to the first
 *   valid local time after it, i.e. the instant of the transition.
 */
export class ZoneTime {
  private readonly zone: IANAZone;
  private readonly memo = new Map<number, number>();

  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
    if (!this.zone.isValid) throw new RangeError(`unknown time zone "${name}"`);
  }

  static isValid(name: string): boolean {
    return IANAZone.isValidZone(name);
  }

  /** Offset (local − UTC) in ms at an instant. */
  offsetAt(at: number): number {
    // Offsets change on whole seconds; luxon truncates toward zero, which is wrong before 1970.
    const second = Math.floor(at / 1000);
    let offset = this.memo.get(second);
    if (offset === undefined) {
      // A luxon look-up costs microseconds (Intl formatting); resolving consecutive local
      // midnights asks for the same instants (each midnight ± 1 day) again.
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      offset = Math.round(this.zone.offset(second * 1000) * 60_000);
      this.memo.set(second, offset);
    }
    return offset;
  }

  /** The instant of a local wall-clock reading (see the class comment for the two special cases). */
  instantOfLocal(local: number): number {
    const before = this.offsetAt(local - DAY_MS);
    const after = this.offsetAt(local + DAY_MS);
    let best = Infinity;
    for (const o of before === after ? [before] : [before, after]) {
      const t = local - o;
      if (this.offsetAt(t) === o && t < best) best = t;
    }
    if (best !== Infinity) return best;
    if (after > before) {
      // Inside a forward gap: local − after lies before the transition, local − before after it.
      return this.firstChange(local - after, local - before);
    }
    return this.instantOfLocalSlow(local);
  }

  /** The first instant in (lo, hi] whose offset differs from the offset at lo (whole seconds). */
  private firstChange(lo: number, hi: number): number {
    const base = this.offsetAt(lo);
    let a = Math.floor(lo / 1000);
    let b = Math.ceil(hi / 1000);
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (this.offsetAt(mid * 1000) === base) a = mid;
      else b = mid;
    }
    return b * 1000;
  }

  /**
   * For zones that changed offset more than once within a day of the reading (rare, e.g.
   * historical double summer time): sample hourly, try every offset seen, and otherwise
   * find the forward transition that skipped the reading.
   */
  private instantOfLocalSlow(local: number): number {
    const offsets = new Set<number>();
    for (let t = local - 2 * DAY_MS; t <= local + 2 * DAY_MS; t += HOUR_MS) offsets.add(this.offsetAt(t));
    let best = Infinity;
    for (const o of offsets) {
      const t = local - o;
      if (this.offsetAt(t) === o && t < best) best = t;
    }
    if (best !== Infinity) return best;
    let prev = local - 2 * DAY_MS;
    for (let t = prev + HOUR_MS; t <= local + 2 * DAY_MS; t += HOUR_MS) {
      if (t + this.offsetAt(t) > local) return this.firstChange(prev, t);
      prev = t;
    }
    throw new RangeError(`cannot resolve local time ${new Date(local).toISOString()} in ${this.name}`);
  }
}
