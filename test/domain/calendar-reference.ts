import type { CalendarSpec, Interval } from '../../src/domain/policy/types.ts';

/** Builds an Interval list from "HH:MM-HH:MM" strings, as the policy parser would. */
export function hours(...ranges: string[]): Interval[] {
  return ranges.map((r) => {
    const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(r);
    if (!m) throw new Error(`bad range ${r}`);
    return { start: Number(m[1]) * 60 + Number(m[2]), end: Number(m[3]) * 60 + Number(m[4]) };
  });
}

const weekdays = (day: Interval[]): Interval[][] => [day, day, day, day, day, [], []];

/** The reference calendars of examples/escalon.policy.yaml, built by hand. */
export const usBusiness: CalendarSpec = {
  id: 'us-business',
  timezone: 'America/New_York',
  alwaysOpen: false,
  week: weekdays(hours('09:00-12:00', '13:00-17:00')),
  holidays: ['2026-11-26', '2026-12-25', '2027-01-01'],
};

export const emeaBusiness: CalendarSpec = {
  id: 'emea-business',
  timezone: 'Europe/Berlin',
  alwaysOpen: false,
  week: weekdays(hours('08:00-18:00')),
  holidays: ['2026-12-24', '2026-12-25', '2026-12-26'],
};

export const always: CalendarSpec = {
  id: 'always',
  timezone: 'UTC',
  alwaysOpen: true,
  week: [],
  holidays: [],
};

/** Extra calendars for the DST and midnight rules: night shifts spanning 02:00-03:00. */
const sundayNight = (timezone: string, id: string): CalendarSpec => ({
  id,
  timezone,
  alwaysOpen: false,
  week: [hours('09:00-17:00'), [], [], [], [], [], hours('00:00-04:00', '09:00-17:00')],
  holidays: [],
});
export const nightNewYork = sundayNight('America/New_York', 'night-ny');
export const nightBerlin = sundayNight('Europe/Berlin', 'night-berlin');

/** Open 22:00-24:00 Monday and 00:00-02:00 Tuesday: the two must join at midnight. */
export const lateShift: CalendarSpec = {
  id: 'late-shift',
  timezone: 'Europe/Berlin',
  alwaysOpen: false,
  week: [hours('22:00-24:00'), hours('00:00-02:00'), [], [], [], [], []],
  holidays: [],
};

/** 24x7 in a DST zone, with a holiday. */
export const alwaysNewYork: CalendarSpec = {
  id: 'always-ny',
  timezone: 'America/New_York',
  alwaysOpen: true,
  week: [],
  holidays: ['2026-07-04'],
};

export const never: CalendarSpec = {
  id: 'never',
  timezone: 'UTC',
  alwaysOpen: false,
  week: [[], [], [], [], [], [], []],
  holidays: [],
};

export const H = 3_600_000;
export const M = 60_000;
/** Epoch ms of an ISO-8601 instant with offset, e.g. 2026-03-09T10:00-04:00. */
export const t = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};

/** Santiago springs forward at midnight (2026-09-06, a Sunday: 00:00 becomes 01:00). */
export const santiagoWeekend: CalendarSpec = {
  id: 'santiago-weekend',
  timezone: 'America/Santiago',
  alwaysOpen: false,
  week: [[], [], [], [], [], hours('22:00-24:00'), hours('00:00-03:00')],
  holidays: [],
};

/** Lord Howe Island shifts by 30 minutes. */
export const lordHowe: CalendarSpec = {
  id: 'lord-howe',
  timezone: 'Australia/Lord_Howe',
  alwaysOpen: false,
  week: [hours('01:00-03:00', '09:00-17:00'), [], [], [], [], [], hours('01:00-03:00')],
  holidays: [],
};
