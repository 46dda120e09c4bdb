/**
 * What the dispatcher asks the applied policy about a recipient: whose calendar keeps their
 * quiet hours. the contract (docs/contract.md): the calendar of the first team that lists them (as member, lead or
 * manager). The live server passes a directory over its current policy; `policyDirectory`
 * builds one from a Policy getter, so a new policy version applies at once.
 */
import { BusinessCalendar } from '../domain/calendar.ts';
import type { Policy } from '../domain/policy/types.ts';

export interface RecipientDirectory {
  /** The calendar whose closed hours are this address's quiet hours; null means always reachable. */
  quietHoursFor(address: string): BusinessCalendar | null;
  /** The zone times in their notices are shown in when they set none: their team calendar's, else the policy's first calendar's. */
  timeZoneFor?(address: string): string | null;
}

export function policyDirectory(current: () => Policy | null): RecipientDirectory {
  let cachedFor: Policy | null = null;
  let byAddress = new Map<string, BusinessCalendar | null>();
  const calendars = new Map<string, BusinessCalendar>();
  return {
    quietHoursFor(address: string): BusinessCalendar | null {
      const policy = current();
      if (!policy) return null;
      if (policy !== cachedFor) {
        cachedFor = policy;
        byAddress = new Map();
        calendars.clear();
      }
      const key = address.toLowerCase();
      const known = byAddress.get(key);
      if (known !== undefined) return known;
      const team = policy.teams.find((t) => [...t.members, t.lead, t.manager].some((m) => m?.toLowerCase() === key));
      let cal: BusinessCalendar | null = null;
      if (team?.calendar) {
        const spec = policy.calendars[team.calendar];
        if (spec) {
          cal = calendars.get(spec.id) ?? new BusinessCalendar(spec);
          calendars.set(spec.id, cal);
        }
      }
      byAddress.set(key, cal);
      return cal;
    },
    timeZoneFor(address: string): string | null {
      const policy = current();
      if (!policy) return null;
      const key = address.toLowerCase();
      const team = policy.teams.find((t) => t.calendar && [...t.members, t.lead, t.manager].some((m) => m?.toLowerCase() === key));
      const spec = (team?.calendar ? policy.calendars[team.calendar] : undefined) ?? Object.values(policy.calendars)[0];
      return spec?.timezone ?? null;
    },
  };
}
