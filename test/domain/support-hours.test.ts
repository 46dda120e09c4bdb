import { describe, expect, it } from 'vitest';
import { describeExpectations, formatTarget } from '../../src/domain/expectations.ts';
import { tiersOf } from '../../src/domain/support-hours.ts';

describe('support hours and expectations (pure)', () => {
  it('tiers are read from tier conditions only; any other condition makes the policy "conditional"', () => {
    expect(tiersOf({ field: 'organization.tier', op: 'eq', value: 'enterprise' })).toEqual(['enterprise']);
    expect(tiersOf({ field: 'organization.tier', op: 'in', value: ['premium', 'enterprise'] })).toEqual(['premium', 'enterprise']);
    expect(tiersOf({ any: [{ field: 'organization.tier', op: 'eq', value: 'gold' }, { field: 'organization.tier', op: 'eq', value: 'silver' }] })).toEqual(['gold', 'silver']);
    expect(tiersOf({ all: [{ field: 'organization.tier', op: 'eq', value: 'gold' }] })).toEqual(['gold']);
    expect(tiersOf({ all: [{ field: 'organization.tier', op: 'eq', value: 'gold' }, { field: 'priority', op: 'eq', value: 'urgent' }] })).toBeNull();
    expect(tiersOf({ field: 'organization.tier', op: 'ne', value: 'standard' })).toBeNull();
    expect(tiersOf({ not: { field: 'organization.tier', op: 'eq', value: 'standard' } })).toBeNull();
  });

  it('targets read as people say them: minutes under an hour, business hours on business calendars', () => {
    expect(formatTarget(15 * 60_000, false)).toBe('15 minutes');
    expect(formatTarget(3_600_000, true)).toBe('1 business hour');
    expect(formatTarget(90 * 60_000, true)).toBe('1.5 business hours');
    expect(formatTarget(40 * 3_600_000, false)).toBe('40 hours');
  });

  it('a breached first reply is owned up to, not promised again', () => {
    const e = describeExpectations(
      [
        { metric: 'first_response', status: 'running', targetMs: 3_600_000, due: Date.UTC(2026, 2, 2, 10), breached: true },
        { metric: 'resolution', status: 'running', targetMs: 8 * 3_600_000, due: Date.UTC(2026, 2, 2, 17), breached: false },
      ],
      { timezone: 'Europe/Berlin', alwaysOpen: false },
    );
    expect(e).toEqual({
      first_response_due: '2026-03-02T10:00:00.000Z',
      resolution_due: '2026-03-02T17:00:00.000Z',
      time_zone: 'Europe/Berlin',
      text: 'We are late with our first reply and are on it with priority. We expect to resolve your request by Mon, Mar 2, 2026, 6:00 PM GMT+1.',
    });
  });
});
