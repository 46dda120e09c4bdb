/**
 * The public face of a policy: its support calendars (hours per weekday in their time zone,
 * upcoming holidays) and the response and resolution targets of each SLA policy, with the
 * customer tiers it applies to (read from its `when` conditions on `organization.tier`).
 */
import { formatTarget } from './expectations.ts';
import { METRICS, PRIORITIES, WEEKDAYS, type CalendarSpec, type ConditionNode, type Interval, type Metric, type Policy, type Priority, type Weekday } from './policy/types.ts';

export interface SupportCalendar {
  id: string;
  time_zone: string;
  always_open: boolean;
  /** Per weekday, Monday first: local intervals like "09:00-12:00" (24x7: "00:00-24:00"). */
  hours: Record<Weekday, string[]>;
  /** Whole local days (YYYY-MM-DD) from today on, within a year. */
  upcoming_holidays: string[];
}

export interface TargetView {
  ms: number;
  /** "4 business hours", or plain hours on a 24x7 calendar. */
  text: string;
}

export interface SupportTier {
  sla_policy: string;
  /** Tiers it applies to; null when its conditions are not (only) about the tier. */
  tiers: string[] | null;
  /** For people: "enterprise customers", "all other customers", "tickets matching conditions". */
  applies_to: string;
  calendar: string;
  time_zone: string;
  targets: Array<{ priority: Priority } & Partial<Record<Metric, TargetView>>>;
}

export interface SupportHours {
  policy_version: number | null;
  calendars: SupportCalendar[];
  tiers: SupportTier[];
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const interval = (i: Interval) => `${hhmm(i.start)}-${hhmm(i.end)}`;

/** The tiers a condition selects, or null when it selects on anything else too. */
export function tiersOf(node: ConditionNode): string[] | null {
  if ('field' in node) {
    if (node.field !== 'organization.tier') return null;
    if (node.op === 'eq' && typeof node.value === 'string') return [node.value];
    if (node.op === 'in' && Array.isArray(node.value) && node.value.every((v) => typeof v === 'string')) return node.value as string[];
    return null;
  }
  if ('any' in node) {
    const parts = node.any.map(tiersOf);
    return parts.every((p): p is string[] => p !== null) ? [...new Set(parts.flat())] : null;
  }
  if ('all' in node && node.all.length === 1 && node.all[0]) return tiersOf(node.all[0]);
  return null;
}

function calendarView(spec: CalendarSpec, today: string): SupportCalendar {
  const hours = Object.fromEntries(WEEKDAYS.map((d, i) => [d, spec.alwaysOpen ? ['00:00-24:00'] : (spec.week[i] ?? []).map(interval)])) as Record<Weekday, string[]>;
  const [y, m, d] = today.split('-').map(Number);
  const horizon = `${String((y ?? 0) + 1).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return { id: spec.id, time_zone: spec.timezone, always_open: spec.alwaysOpen, hours, upcoming_holidays: spec.holidays.filter((h) => h >= today && h < horizon).sort() };
}

/** The local date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function describeSupportHours(policy: Policy, version: number, now: number): SupportHours {
  const used = [...new Set(policy.sla.map((s) => s.calendar))];
  const calendars = used.map((id) => policy.calendars[id]).filter((c): c is CalendarSpec => c !== undefined);
  const claimed = new Set<string>();
  const tiers = policy.sla.map((sla): SupportTier => {
    const cal = policy.calendars[sla.calendar];
    const business = cal ? !cal.alwaysOpen : true;
    const selected = sla.when ? tiersOf(sla.when) : null;
    selected?.forEach((t) => claimed.add(t));
    const applies_to = !sla.when ? (claimed.size ? 'all other customers' : 'all customers') : selected ? `${selected.join(', ')} customers` : 'tickets matching its conditions';
    const targets = PRIORITIES.slice()
      .reverse()
      .filter((p) => sla.targets[p])
      .map((priority) => {
        const row: { priority: Priority } & Partial<Record<Metric, TargetView>> = { priority };
        for (const metric of METRICS) {
          const ms = sla.targets[priority]?.[metric];
          if (ms !== undefined) row[metric] = { ms, text: formatTarget(ms, business) };
        }
        return row;
      });
    return { sla_policy: sla.id, tiers: selected, applies_to, calendar: sla.calendar, time_zone: cal?.timezone ?? 'UTC', targets };
  });
  return { policy_version: version, calendars: calendars.map((c) => calendarView(c, localDate(now, c.timezone))), tiers };
}
