import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ZoneTime } from '../../src/domain/calendar-zone.ts';

/** The platform's offset (ms) at an instant, straight from luxon (no table). */
const reference = (zone: string, at: number): number =>
  Math.round(IANAZone.create(zone).offset(Math.floor(at / 1000) * 1000) * 60_000);

const zones = Intl.supportedValuesOf('timeZone');
const YEAR_MS = 365.2425 * 86_400_000;

describe('zone offsets from the transition table', () => {
  it('equal the tz data at random instants of every zone, 1800 to 2100', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Math.round(-170 * YEAR_MS), max: Math.round(130 * YEAR_MS) }),
        (zone, at) => {
          expect(new ZoneTime(zone).offsetAt(at)).toBe(reference(zone, at));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('equal the tz data on both sides of every transition of some DST and odd zones, 1960 to 2040', () => {
    for (const zone of [
      'America/New_York',
      'Europe/Berlin',
      'Australia/Lord_Howe',
      'America/Santiago',
      'Africa/Freetown',
      'Africa/Casablanca',
      'Asia/Gaza',
      'Pacific/Apia',
      'America/Recife',
    ]) {
      const z = new ZoneTime(zone);
      // Walk daily with luxon; at each change, the table must switch at the same second.
      let prev = reference(zone, Date.UTC(1960, 0, 1));
      for (let at = Date.UTC(1960, 0, 1); at < Date.UTC(2040, 0, 1); at += 86_400_000) {
        const now = reference(zone, at);
        if (now !== prev) {
          let a = (at - 86_400_000) / 1000;
          let b = at / 1000;
          while (b - a > 1) {
            const mid = Math.floor((a + b) / 2);
            if (reference(zone, mid * 1000) === prev) a = mid;
            else b = mid;
          }
          expect([zone, z.offsetAt(b * 1000 - 1)]).toEqual([zone, prev]);
          expect([zone, z.offsetAt(b * 1000)]).toEqual([zone, reference(zone, b * 1000)]);
          prev = now;
        }
        expect(z.offsetAt(at)).toBe(now);
      }
    }
  }, 60_000);

  it('instants of year 1 and year 9999 resolve', () => {
    const z = new ZoneTime('America/New_York');
    for (const at of [Date.UTC(1, 0, 3), Date.UTC(9999, 11, 29)])
      expect(z.offsetAt(at)).toBe(reference('America/New_York', at));
  });
});
