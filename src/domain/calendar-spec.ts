import { parseDate } from './calendar-civil.ts';
import { ZoneTime } from './calendar-zone.ts';
import { DomainError } from './errors.ts';
import type { CalendarSpec } from './policy/types.ts';

/** A calendar spec that cannot be used; `problems` lists every fault found. */
export class CalendarSpecError extends DomainError {
  constructor(
    readonly calendarId: string,
    readonly problems: string[],
  ) {
    super('VALIDATION_FAILED', `calendar "${calendarId}" is invalid: ${problems.join('; ')}`, {
      calendar: calendarId,
      problems,
    });
    this.name = 'CalendarSpecError';
  }
}

/** Every fault of a spec, each saying where and how to fix it. */
export function validateSpec(spec: CalendarSpec): string[] {
  const problems: string[] = [];
  if (typeof spec.id !== 'string' || spec.id === '') problems.push('id: must be a non-empty string');
  if (typeof spec.timezone !== 'string' || !ZoneTime.isValid(spec.timezone)) {
    problems.push(
      `timezone: "${String(spec.timezone)}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`,
    );
  }
  if (!spec.alwaysOpen) {
    if (!Array.isArray(spec.week) || spec.week.length !== 7) {
      problems.push('week: must list 7 days, Monday first (an empty list for a closed day)');
    } else {
      spec.week.forEach((intervals, w) => {
        let prevEnd = -1;
        intervals.forEach((iv, j) => {
          const where = `week[${w}][${j}]`;
          if (
            !Number.isFinite(iv.start) ||
            !Number.isFinite(iv.end) ||
            iv.start < 0 ||
            iv.end > 1440 ||
            iv.start >= iv.end
          ) {
            problems.push(
              `${where}: needs 0 <= start < end <= 1440 minutes after local midnight, got ${iv.start}-${iv.end}`,
            );
          } else if (iv.start < prevEnd) {
            problems.push(
              `${where}: starts before the previous interval ends; sort the intervals and remove overlaps`,
            );
          }
          prevEnd = Math.max(prevEnd, iv.end);
        });
      });
    }
  }
  if (!Array.isArray(spec.holidays)) {
    problems.push('holidays: must be a list of YYYY-MM-DD dates');
  } else {
    spec.holidays.forEach((h, i) => {
      if (typeof h !== 'string' || parseDate(h) === null)
        problems.push(`holidays[${i}]: "${String(h)}" is not a real date written YYYY-MM-DD`);
    });
  }
  return problems;
}
