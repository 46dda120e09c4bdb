import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['15m', 900_000],
    ['4h', 14_400_000],
    ['90m', 5_400_000],
    ['1d', 86_400_000],
    ['30s', 30_000],
    ['1h30m', 5_400_000],
    ['1d12h', 129_600_000],
    ['2m30s', 150_000],
    ['0m', 0],
    ['250ms', 250],
  ])('%s = %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '15 m', '1.5h', '-5m', '30m1h', '1h1h', '15min', '4H', ' 4h', '1w'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [900_000, '15m'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [90_061_500, '1d1h1m1s500ms'],
    [-600_000, '-10m'],
  ])('%i ms = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
