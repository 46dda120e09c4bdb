import { IANAZone } from 'luxon';
import { DAY_MS } from './calendar-civil.ts';

const HOUR_MS = 3_600_000;

/**
 * The zone's offsets are sampled every STEP_MS and every change between two samples is
 * located to the second by bisection. tzdb (1800–2100, every zone) has no two transitions
 * closer than 3.98 days (Africa/Freetown, 1939), so at most one transition falls between two
 * samples 3 days apart and none is missed; the bisection still walks on when an interval
 * turns out to hold more than one.
 */
const STEP_MS = 3 * DAY_MS;
/** One table covers 32 steps (96 days). */
const CHUNK_STEPS = 32;
const CHUNK_MS = CHUNK_STEPS * STEP_MS;
/** Past this many tables per zone the tables are dropped and rebuilt on demand. */
const CHUNK_LIMIT = 4096;

/** The offsets of one chunk: `offset[0]` from the chunk's start, `offset[i]` from `at[i]` on. */
interface Chunk {
  at: number[];
  offset: number[];
}

/** Offset tables shared by every ZoneTime of the same zone (pure data derived from tzdb). */
const tables = new Map<string, Map<number, Chunk>>();

/**
 * Wall-clock time of one IANA zone, in both directions.
 *
 * A "local" value is the wall-clock reading written as milliseconds since 1970-01-01T00:00
 * local (as if that reading were UTC). Mapping an instant to local is `at + offsetAt(at)`.
 * Mapping local to an instant has two awkward cases, settled here once for the whole engine:
 * - a reading that occurs twice (the repeated hour when clocks go back) means its FIRST
 *   occurrence, so an interval spanning the repeated hour counts it twice;
 * - a reading that never occurs (the hour skipped when clocks go forward) moves to the first
 *   valid local time after it, i.e. the instant of the transition.
 *
 * Offsets come from the zone's transitions, found once per 96-day chunk (about 35 look-ups
 * of the platform's tz data, a few microseconds each) and kept as a small sorted table, so
 * `offsetAt` is a table look-up, not a tz-data query.
 */
export class ZoneTime {
  private readonly zone: IANAZone;
  private readonly format: Intl.DateTimeFormat;
  private readonly chunks: Map<number, Chunk>;
  private lastChunkNumber = NaN;
  private lastChunk: Chunk | undefined;

  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
    if (!this.zone.isValid) throw new RangeError(`unknown time zone "${name}"`);
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    let chunks = tables.get(name);
    if (!chunks) {
      chunks = new Map();
      tables.set(name, chunks);
    }
    this.chunks = chunks;
  }

  static isValid(name: string): boolean {
    return IANAZone.isValidZone(name);
  }

  /** Offset (local − UTC) in ms at an instant. */
  offsetAt(at: number): number {
    const c = Math.floor(at / CHUNK_MS);
    let chunk = c === this.lastChunkNumber ? this.lastChunk : undefined;
    if (!chunk) {
      chunk = this.chunk(c);
      this.lastChunkNumber = c;
      this.lastChunk = chunk;
    }
    const times = chunk.at;
    // Offsets change on whole seconds: an instant belongs to its second.
    const t = Math.floor(at / 1000) * 1000;
    let i = times.length - 1;
    while (i > 0 && (times[i] as number) > t) i--;
    return chunk.offset[i] as number;
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

  /** The offset at an instant from the platform's tz data (whole seconds; a few µs). */
  private lookUp(at: number): number {
    const second = Math.floor(at / 1000) * 1000;
    const m = /(\d+)\/(\d+)\/(\d+),? (AD|BC),? (\d+):(\d+):(\d+)/.exec(this.format.format(second));
    if (!m) return Math.round(this.zone.offset(second) * 60_000);
    const year = m[4] === 'BC' ? 1 - Number(m[3]) : Number(m[3]);
    const hour = Number(m[5]) === 24 ? 0 : Number(m[5]);
    const d = new Date(0);
    d.setUTCFullYear(year, Number(m[1]) - 1, Number(m[2]));
    d.setUTCHours(hour, Number(m[6]), Number(m[7]), 0);
    return d.getTime() - second;
  }

  private chunk(c: number): Chunk {
    let chunk = this.chunks.get(c);
    if (chunk) return chunk;
    if (this.chunks.size >= CHUNK_LIMIT) this.chunks.clear();
    const start = c * CHUNK_MS;
    chunk = { at: [start], offset: [this.lookUp(start)] };
    let prevAt = start;
    let prev = chunk.offset[0] as number;
    for (let k = 1; k <= CHUNK_STEPS; k++) {
      const at = start + k * STEP_MS;
      const o = k === CHUNK_STEPS ? this.lookUp(at - 1000) : this.lookUp(at);
      const hi = k === CHUNK_STEPS ? at - 1000 : at;
      // Locate every change in (prevAt, hi], to the second.
      let lo = prevAt;
      let base = prev;
      while (base !== o) {
        let a = lo / 1000;
        let b = hi / 1000;
        let bOffset = o;
        while (b - a > 1) {
          const mid = Math.floor((a + b) / 2);
          const m = this.lookUp(mid * 1000);
          if (m === base) a = mid;
          else {
            b = mid;
            bOffset = m;
          }
        }
        chunk.at.push(b * 1000);
        chunk.offset.push(bOffset);
        lo = b * 1000;
        base = bOffset;
      }
      prevAt = hi;
      prev = o;
    }
    this.chunks.set(c, chunk);
    return chunk;
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
