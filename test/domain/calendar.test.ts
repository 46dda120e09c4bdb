import { describe, expect, it } from 'vitest';
import { BusinessCalendar, CalendarSpecError } from '../../src/domain/calendar.ts';
import type { CalendarSpec } from '../../src/domain/policy/types.ts';
import {
  H,
  M,
  always,
  alwaysNewYork,
  emeaBusiness,
  hours,
  lateShift,
  lordHowe,
  never,
  nightBerlin,
  nightNewYork,
  santiagoWeekend,
  t,
  usBusiness,
} from './calendar-reference.ts';

const us = new BusinessCalendar(usBusiness);
const emea = new BusinessCalendar(emeaBusiness);
const utc = new BusinessCalendar(always);
const nightNy = new BusinessCalendar(nightNewYork);
const nightBer = new BusinessCalendar(nightBerlin);
const late = new BusinessCalendar(lateShift);
const alwaysNy = new BusinessCalendar(alwaysNewYork);
const sundayEarly = new BusinessCalendar({
  ...nightBerlin,
  id: 'sunday-early',
  week: [[], [], [], [], [], [], hours('02:30-05:00')],
});
const santiago = new BusinessCalendar(santiagoWeekend);
const howe = new BusinessCalendar(lordHowe);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('add: the earliest instant at which the elapsed business time reaches the duration', () => {
  const cases: Array<[string, BusinessCalendar, string, number, string]> = [
    [
      'zero duration is the start itself, even outside business time',
      us,
      '2026-02-07T03:00-05:00',
      0,
      '2026-02-07T03:00-05:00',
    ],
    ['lunch break is skipped', us, '2026-02-02T11:30-05:00', 1 * H, '2026-02-02T13:30-05:00'],
    [
      'starting inside the lunch break counts from 13:00',
      us,
      '2026-02-02T12:30-05:00',
      30 * M,
      '2026-02-02T13:30-05:00',
    ],
    [
      'starting before opening counts from 09:00',
      us,
      '2026-02-02T07:00-05:00',
      1 * H,
      '2026-02-02T10:00-05:00',
    ],
    [
      'due exactly at the lunch interval end is that end',
      us,
      '2026-02-02T11:00-05:00',
      1 * H,
      '2026-02-02T12:00-05:00',
    ],
    [
      'due exactly at the day end is that end, not the next opening',
      us,
      '2026-02-02T16:00-05:00',
      1 * H,
      '2026-02-02T17:00-05:00',
    ],
    ['overnight carry', us, '2026-02-03T16:30-05:00', 1 * H, '2026-02-04T09:30-05:00'],
    ['weekend carry', us, '2026-02-06T16:00-05:00', 2 * H, '2026-02-09T10:00-05:00'],
    [
      'starting on a Saturday counts from Monday 09:00',
      us,
      '2026-02-07T12:00-05:00',
      4 * H,
      '2026-02-09T14:00-05:00',
    ],
    ['a week of 35 h then five more hours', us, '2026-02-02T09:00-05:00', 40 * H, '2026-02-09T15:00-05:00'],
    ['holiday (Thanksgiving) is skipped', us, '2026-11-25T16:00-05:00', 2 * H, '2026-11-27T10:00-05:00'],
    [
      'Christmas holiday and weekend are skipped',
      us,
      '2026-12-24T16:00-05:00',
      2 * H,
      '2026-12-28T10:00-05:00',
    ],
    [
      'year end: New Year holiday and weekend are skipped',
      us,
      '2026-12-31T16:00-05:00',
      2 * H,
      '2027-01-04T10:00-05:00',
    ],
    [
      'New York spring-forward weekend: 09:00 EST Friday to 10:00 EDT Monday',
      us,
      '2026-03-06T16:00-05:00',
      2 * H,
      '2026-03-09T10:00-04:00',
    ],
    [
      'New York fall-back weekend: 09:00 EDT Friday to 10:00 EST Monday',
      us,
      '2026-10-30T16:00-04:00',
      2 * H,
      '2026-11-02T10:00-05:00',
    ],
    ['Berlin spring-forward weekend carry', emea, '2026-03-27T17:00+01:00', 2 * H, '2026-03-30T09:00+02:00'],
    ['Berlin fall-back weekend carry', emea, '2026-10-23T17:00+02:00', 2 * H, '2026-10-26T09:00+01:00'],
    [
      'Berlin Christmas holidays are skipped',
      emea,
      '2026-12-23T17:00+01:00',
      2 * H,
      '2026-12-28T09:00+01:00',
    ],
    [
      'night shift over the skipped hour (NY): 00:00-04:00 is 3 h',
      nightNy,
      '2026-03-08T00:00-05:00',
      3 * H,
      '2026-03-08T04:00-04:00',
    ],
    [
      'night shift over the skipped hour (NY): 3 h 30 m runs into the day shift',
      nightNy,
      '2026-03-08T00:00-05:00',
      3.5 * H,
      '2026-03-08T09:30-04:00',
    ],
    [
      'night shift over the repeated hour (NY): 00:00-04:00 is 5 h',
      nightNy,
      '2026-11-01T00:00-04:00',
      5 * H,
      '2026-11-01T04:00-05:00',
    ],
    [
      'inside the repeated hour (NY): 1 h 30 m lands in its first pass',
      nightNy,
      '2026-11-01T00:00-04:00',
      1.5 * H,
      '2026-11-01T01:30-04:00',
    ],
    [
      'inside the repeated hour (NY): 2 h 30 m lands in its second pass',
      nightNy,
      '2026-11-01T00:00-04:00',
      2.5 * H,
      '2026-11-01T01:30-05:00',
    ],
    [
      'night shift over the skipped hour (Berlin): 02:00-03:00 counts nothing',
      nightBer,
      '2026-03-29T01:30+01:00',
      1 * H,
      '2026-03-29T03:30+02:00',
    ],
    [
      'night shift over the repeated hour (Berlin): 02:00-03:00 counts twice',
      nightBer,
      '2026-10-25T02:00+02:00',
      2 * H,
      '2026-10-25T03:00+01:00',
    ],
    ['24x7 has no gap at midnight', utc, '2026-06-30T23:30Z', 1 * H, '2026-07-01T00:30Z'],
    ['24x7 across the year end', utc, '2026-12-31T23:00Z', 2 * H, '2027-01-01T01:00Z'],
    [
      '24x7 with a holiday skips the whole local day',
      alwaysNy,
      '2026-07-03T23:30-04:00',
      1 * H,
      '2026-07-05T00:30-04:00',
    ],
    [
      '24x7 in New York: the spring-forward day is 23 h',
      alwaysNy,
      '2026-03-08T00:00-05:00',
      23 * H,
      '2026-03-09T00:00-04:00',
    ],
    [
      '24x7 in New York: the fall-back day is 25 h',
      alwaysNy,
      '2026-11-01T00:00-04:00',
      25 * H,
      '2026-11-02T00:00-05:00',
    ],
    [
      'an interval ending at 24:00 joins the next day 00:00 seamlessly',
      late,
      '2026-02-02T23:00+01:00',
      2 * H,
      '2026-02-03T01:00+01:00',
    ],
    [
      'due exactly at 24:00 is that midnight',
      late,
      '2026-02-02T22:00+01:00',
      2 * H,
      '2026-02-03T00:00+01:00',
    ],
    [
      '24:00 joins a next-day 00:00 that falls in a gap (Santiago)',
      santiago,
      '2026-09-05T23:00-04:00',
      2 * H,
      '2026-09-06T02:00-03:00',
    ],
    [
      'a 30-minute skipped period (Lord Howe): 01:00-03:00 is 1 h 30 m, then Monday 01:00',
      howe,
      '2026-10-04T00:00+10:30',
      2 * H,
      '2026-10-05T01:30+11:00',
    ],
  ];
  it.each(cases)('%s', (_name, cal, from, ms, due) => {
    expect(iso(cal.add(t(from), ms))).toBe(iso(t(due)));
  });

  it('2,000 h on us-business equals fifty steps of 40 h (week skipping stays exact)', () => {
    const from = t('2026-01-05T10:17:00-05:00');
    let stepped = from;
    for (let i = 0; i < 50; i++) stepped = us.add(stepped, 40 * H);
    const jumped = us.add(from, 2000 * H);
    expect(iso(jumped)).toBe(iso(stepped));
    expect(us.between(from, jumped)).toBe(2000 * H);
  });

  it('a calendar with no business time at all gives Infinity, not a hang', () => {
    const cal = new BusinessCalendar(never);
    expect(cal.add(t('2026-01-01T00:00Z'), 1 * H)).toBe(Infinity);
    expect(cal.add(t('2026-01-01T00:00Z'), 0)).toBe(t('2026-01-01T00:00Z'));
    expect(cal.nextOpening(t('2026-01-01T00:00Z'))).toBe(Infinity);
  });

  it('a negative or NaN duration is refused with a clear error', () => {
    expect(() => us.add(t('2026-02-02T09:00-05:00'), -1)).toThrow(/non-negative duration/);
    expect(() => us.add(t('2026-02-02T09:00-05:00'), Number.NaN)).toThrow(/non-negative duration/);
    expect(() => us.add(Number.NaN, 1)).toThrow(/epoch-ms instant/);
  });
});

describe('between: business time in [a, b)', () => {
  const cases: Array<[string, BusinessCalendar, string, string, number]> = [
    ['empty when b <= a', us, '2026-02-02T12:00-05:00', '2026-02-02T10:00-05:00', 0],
    ['lunch break does not count', us, '2026-02-02T09:00-05:00', '2026-02-02T17:00-05:00', 7 * H],
    ['a full week is 35 h', us, '2026-02-02T00:00-05:00', '2026-02-09T00:00-05:00', 35 * H],
    ['holiday week loses a day', us, '2026-11-23T00:00-05:00', '2026-11-30T00:00-05:00', 28 * H],
    [
      '09:00-17:00 is 8 h on the Berlin spring-forward day',
      nightBer,
      '2026-03-29T08:00+01:00',
      '2026-03-29T18:00+02:00',
      8 * H,
    ],
    [
      '09:00-17:00 is 8 h on the New York fall-back day',
      nightNy,
      '2026-11-01T08:00-05:00',
      '2026-11-01T18:00-05:00',
      8 * H,
    ],
    [
      '00:00-04:00 spanning the skipped hour is 3 h in New York',
      nightNy,
      '2026-03-07T12:00-05:00',
      '2026-03-08T06:00-04:00',
      3 * H,
    ],
    [
      '00:00-04:00 spanning the repeated hour is 5 h in New York',
      nightNy,
      '2026-10-31T12:00-04:00',
      '2026-11-01T06:00-05:00',
      5 * H,
    ],
    [
      '00:00-04:00 spanning the skipped hour is 3 h in Berlin',
      nightBer,
      '2026-03-28T12:00+01:00',
      '2026-03-29T06:00+02:00',
      3 * H,
    ],
    [
      '00:00-04:00 spanning the repeated hour is 5 h in Berlin',
      nightBer,
      '2026-10-24T12:00+02:00',
      '2026-10-25T06:00+01:00',
      5 * H,
    ],
    [
      'Berlin week across spring-forward is 50 h',
      emea,
      '2026-03-23T00:00+01:00',
      '2026-03-30T00:00+02:00',
      50 * H,
    ],
    ['24x7 counts wall-clock time across midnight', utc, '2026-06-30T22:00Z', '2026-07-01T02:00Z', 4 * H],
    [
      '24x7 in New York: a year of wall-clock time less the holiday',
      alwaysNy,
      '2026-01-01T00:00-05:00',
      '2027-01-01T00:00-05:00',
      (365 - 1) * 24 * H,
    ],
    [
      'a year of us-business: 52 weeks + 1 day less 3 holidays',
      us,
      '2026-01-01T00:00-05:00',
      '2027-01-01T00:00-05:00',
      (261 - 2) * 7 * H,
    ],
    [
      'the Santiago weekend around the midnight gap: 22:00-24:00 is 2 h, 00:00-03:00 is 2 h',
      santiago,
      '2026-09-05T12:00-04:00',
      '2026-09-07T12:00-03:00',
      4 * H,
    ],
    [
      'the Lord Howe day the clocks go back 30 minutes: 01:00-03:00 is 2 h 30 m',
      howe,
      '2026-04-05T00:00+11:00',
      '2026-04-05T12:00+10:30',
      2.5 * H,
    ],
  ];
  it.each(cases)('%s', (_name, cal, a, b, ms) => {
    expect(cal.between(t(a), t(b))).toBe(ms);
  });
});

describe('nextOpening and isOpen', () => {
  const cases: Array<[string, BusinessCalendar, string, string, boolean]> = [
    ['inside an interval: the instant itself', us, '2026-02-02T10:00-05:00', '2026-02-02T10:00-05:00', true],
    [
      'at an interval start: the instant itself',
      us,
      '2026-02-02T13:00-05:00',
      '2026-02-02T13:00-05:00',
      true,
    ],
    [
      'at an interval end: closed, the next start',
      us,
      '2026-02-02T12:00-05:00',
      '2026-02-02T13:00-05:00',
      false,
    ],
    ['Friday evening: Monday 09:00', us, '2026-02-06T17:00-05:00', '2026-02-09T09:00-05:00', false],
    [
      'the day before Thanksgiving evening: Friday 09:00',
      us,
      '2026-11-25T18:00-05:00',
      '2026-11-27T09:00-05:00',
      false,
    ],
    ['24x7 at midnight is open', utc, '2026-07-01T00:00Z', '2026-07-01T00:00Z', true],
    [
      '24:00 end meets 00:00 start: open at midnight',
      late,
      '2026-02-03T00:00+01:00',
      '2026-02-03T00:00+01:00',
      true,
    ],
    [
      'a start bound inside the skipped hour moves to the first valid time after it',
      sundayEarly,
      '2026-03-28T12:00+01:00',
      '2026-03-29T03:00+02:00',
      false,
    ],
    [
      'the same bound on an ordinary Sunday',
      sundayEarly,
      '2026-03-21T12:00+01:00',
      '2026-03-22T02:30+01:00',
      false,
    ],
  ];
  it.each(cases)('%s', (_name, cal, at, next, open) => {
    expect(iso(cal.nextOpening(t(at)))).toBe(iso(t(next)));
    expect(cal.isOpen(t(at))).toBe(open);
  });
});

describe('localParts and instantOf', () => {
  const parts: Array<[string, BusinessCalendar, string, { date: string; weekday: number; minute: number }]> =
    [
      ['winter New York', us, '2026-02-02T14:30Z', { date: '2026-02-02', weekday: 0, minute: 9 * 60 + 30 }],
      [
        'just after spring-forward, 03:00 EDT',
        us,
        '2026-03-08T07:00Z',
        { date: '2026-03-08', weekday: 6, minute: 180 },
      ],
      [
        'second pass of the repeated hour, 01:30 EST',
        us,
        '2026-11-01T06:30Z',
        { date: '2026-11-01', weekday: 6, minute: 90 },
      ],
      [
        'Berlin local date is a day ahead of UTC late evening',
        emea,
        '2026-12-31T23:30Z',
        { date: '2027-01-01', weekday: 4, minute: 30 },
      ],
    ];
  it.each(parts)('localParts: %s', (_name, cal, at, expected) => {
    expect(cal.localParts(t(at))).toEqual(expected);
  });

  const instants: Array<[string, BusinessCalendar, string, number, string]> = [
    ['a plain local time', us, '2026-02-02', 9 * 60, '2026-02-02T09:00-05:00'],
    [
      'a minute inside the skipped hour moves to its end',
      us,
      '2026-03-08',
      2 * 60 + 30,
      '2026-03-08T03:00-04:00',
    ],
    [
      'a minute inside the repeated hour is its first occurrence',
      us,
      '2026-11-01',
      60 + 30,
      '2026-11-01T01:30-04:00',
    ],
    ['Berlin skipped hour', emea, '2026-03-29', 2 * 60, '2026-03-29T03:00+02:00'],
    ['minute 1440 is the next day at 00:00', emea, '2026-12-31', 1440, '2027-01-01T00:00+01:00'],
    [
      'local midnight inside a gap is the first valid time, 01:00 (Santiago)',
      santiago,
      '2026-09-06',
      0,
      '2026-09-06T01:00-03:00',
    ],
  ];
  it.each(instants)('instantOf: %s', (_name, cal, date, minute, expected) => {
    expect(iso(cal.instantOf(date, minute))).toBe(iso(t(expected)));
  });

  it('instantOf refuses a date that does not exist and a minute out of range', () => {
    expect(() => us.instantOf('2026-02-30', 0)).toThrow(/real date/);
    expect(() => us.instantOf('2026-02-02', 1441)).toThrow(/between 0 and 1440/);
  });
});

describe('spec validation lists every problem', () => {
  it('bad zone, bad interval, overlap and bad holiday are all reported', () => {
    const spec: CalendarSpec = {
      id: 'broken',
      timezone: 'Mars/Olympus',
      alwaysOpen: false,
      week: [hours('09:00-12:00', '11:00-13:00'), [{ start: 600, end: 500 }], [], [], [], [], []],
      holidays: ['2026-13-01'],
    };
    let error: unknown;
    try {
      new BusinessCalendar(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalendarSpecError);
    expect((error as CalendarSpecError).code).toBe('VALIDATION_FAILED');
    const problems = (error as CalendarSpecError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/timezone.*Mars\/Olympus/);
    expect(problems.join('\n')).toMatch(/week\[0\]\[1\].*overlap/);
    expect(problems.join('\n')).toMatch(/week\[1\]\[0\].*0 <= start < end/);
    expect(problems.join('\n')).toMatch(/holidays\[0\].*2026-13-01/);
  });

  it('a week without seven days is refused', () => {
    expect(() => new BusinessCalendar({ ...usBusiness, week: [hours('09:00-17:00')] })).toThrow(
      /must list 7 days/,
    );
  });
});
