import { describe, expect, it } from 'vitest';
import { localTime } from '../../src/notify/render-context-loader.ts';

describe('due times read in the recipient zone', () => {
  it.each([
    ['2026-12-01T15:00:00.000Z', 'America/New_York', 'Tue 1 Dec 2026 10:00 EST'],
    ['2026-12-01T15:00:00.000Z', 'Europe/Berlin', 'Tue 1 Dec 2026 16:00 GMT+1'],
    ['2026-07-01T15:00:00.000Z', 'Europe/Berlin', 'Wed 1 Jul 2026 17:00 GMT+2'],
    ['2026-12-01T15:00:00.000Z', 'UTC', 'Tue 1 Dec 2026 15:00 UTC'],
    ['2026-12-01T15:00:00.000Z', 'Not/AZone', 'Tue 1 Dec 2026 15:00 UTC'],
  ])('%s in %s reads %s', (instant, zone, expected) => {
    expect(localTime(instant, zone)).toBe(expected);
  });
  it('no due moment stays null (the template says so in words)', () => {
    expect(localTime(null, 'UTC')).toBeNull();
  });
});
