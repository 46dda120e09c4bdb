// DOMAIN.md §3 and §8.1–§8.4, §8.9: each SLA clock semantic, named.
import { describe, expect, it } from 'vitest';
import { comment, created, pick, simulate, status, t } from './harness.ts';

const POLICY = `
version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
  us-business:
    timezone: America/New_York
    hours:
      mon-fri: ["09:00-12:00", "13:00-17:00"]
    holidays: ["2026-11-26"]
levels:
  - { id: L1, name: Frontline }
  - { id: L2, name: Specialists }
teams:
  frontline: { level: L1, calendar: always, members: [ana@example.com], lead: lina@example.com }
  specialists: { level: L2, calendar: always, members: [sam@example.com] }
sla:
  - id: business
    when: { organization.tier: standard }
    calendar: us-business
    warn_at: ["75%"]
    targets:
      normal: { first_response: 1h, resolution: 8h }
  - id: default
    calendar: always
    warn_at: ["50%", "10m", "2h"]
    targets:
      urgent: { first_response: 30m, next_response: 30m, periodic_update: 1h, resolution: 4h }
      high: { first_response: 1h, resolution: 8h }
      low: { resolution: 48h }
`;
const due = (out: ReturnType<typeof simulate>['out'], metric: string) =>
  pick(out, 'sla.applied', { metric }).map((o) => o.due);

describe('first_response', () => {
  it('is fulfilled by the first public agent comment', () => {
    const { out } = simulate(POLICY, [created('T', t('10:00')), comment('T', t('10:20'), 'agent')]);
    expect(pick(out, 'sla.fulfilled', { metric: 'first_response' }).map((o) => o.at)).toEqual([t('10:20')]);
    expect(pick(out, 'sla.breached', { metric: 'first_response' })).toEqual([]);
  });

  it('is not fulfilled by an internal note', () => {
    const { out } = simulate(POLICY, [created('T', t('10:00')), comment('T', t('10:05'), 'agent', 'note', false)]);
    expect(pick(out, 'sla.fulfilled', { metric: 'first_response' })).toEqual([]);
    expect(pick(out, 'sla.breached', { metric: 'first_response' }).map((o) => o.at)).toEqual([t('10:30')]);
  });

  it('a reply exactly at the due instant is in time (§8.1)', () => {
    const { out } = simulate(POLICY, [created('T', t('10:00')), comment('T', t('10:30'), 'agent')]);
    expect(pick(out, 'sla.breached', { metric: 'first_response' })).toEqual([]);
    expect(pick(out, 'sla.fulfilled', { metric: 'first_response' })[0]?.breached).toBe(false);
  });
});

describe('next_response', () => {
  it('starts at a customer comment after an agent reply and is fulfilled by the next agent reply', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00')),
      comment('T', t('10:10'), 'agent'),
      comment('T', t('10:20'), 'customer'),
      comment('T', t('10:25'), 'customer'),
      comment('T', t('10:40'), 'agent'),
    ]);
    expect(due(out, 'next_response')).toEqual([t('10:50')]);
    expect(pick(out, 'sla.fulfilled', { metric: 'next_response' }).map((o) => o.at)).toEqual([t('10:40')]);
  });

  it('never runs while first_response is running', () => {
    const { out } = simulate(POLICY, [created('T', t('10:00')), comment('T', t('10:05'), 'customer')]);
    expect(pick(out, 'sla.applied', { metric: 'next_response' })).toEqual([]);
  });
});

describe('periodic_update', () => {
  it('starts at the first public agent comment, restarts at each later one, and stops when solved', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00')),
      comment('T', t('10:10'), 'agent'),
      comment('T', t('10:40'), 'agent'),
      status('T', t('11:00'), 'solved'),
    ]);
    expect(due(out, 'periodic_update')).toEqual([t('11:10'), t('11:40')]);
    expect(pick(out, 'sla.stopped', { metric: 'periodic_update' }).map((o) => o.at)).toEqual([t('11:00')]);
    expect(pick(out, 'sla.breached', { metric: 'periodic_update' })).toEqual([]);
  });
});

describe('resolution', () => {
  it('is fulfilled when solved, and a reopen resumes it with the elapsed time kept', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00')),
      comment('T', t('10:10'), 'agent'),
      status('T', t('11:00'), 'solved'),
      status('T', t('13:00'), 'open'),
    ]);
    expect(pick(out, 'sla.fulfilled', { metric: 'resolution' }).map((o) => o.at)).toEqual([t('11:00')]);
    // 1 h elapsed before solving; 3 h remain after the reopen at 13:00.
    expect(pick(out, 'sla.resumed', { metric: 'resolution' }).map((o) => o.due)).toEqual([t('16:00')]);
    expect(pick(out, 'sla.breached', { metric: 'resolution' }).map((o) => o.at)).toEqual([t('16:00')]);
  });
});

describe('pause', () => {
  it('pending and on_hold stop the clocks; resume recomputes the due moment from the remaining time', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00')),
      status('T', t('10:10'), 'on_hold'),
      status('T', t('11:10'), 'open'),
    ]);
    expect(pick(out, 'sla.paused').map((o) => o.metric)).toEqual(['first_response', 'resolution']);
    expect(pick(out, 'sla.resumed', { metric: 'first_response' })[0]?.due).toBe(t('11:30'));
    expect(pick(out, 'sla.breached', { metric: 'first_response' }).map((o) => o.at)).toEqual([t('11:30')]);
  });

  it('a public customer comment moves pending back to open and resumes the clocks', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00')),
      comment('T', t('10:05'), 'agent'),
      status('T', t('10:10'), 'pending'),
      comment('T', t('12:00'), 'customer'),
    ]);
    expect(pick(out, 'status.changed').map((o) => o.status)).toEqual(['open', 'pending', 'open']);
    expect(pick(out, 'sla.resumed', { metric: 'resolution' })[0]?.due).toBe(t('15:50'));
  });
});

describe('warnings and breach', () => {
  it('each threshold fires once per cycle; a threshold larger than the target is skipped (§8.2)', () => {
    const { out } = simulate(POLICY, [created('T', t('10:00'))], t('23:00'));
    const fr = pick(out, 'sla.warning', { metric: 'first_response' });
    expect(fr.map((o) => [o.at, o.threshold])).toEqual([
      [t('10:15'), '50%'],
      [t('10:20'), '10m'],
    ]);
    expect(pick(out, 'sla.breached').map((o) => [o.at, o.metric])).toEqual([
      [t('10:30'), 'first_response'],
      [t('14:00'), 'resolution'],
    ]);
  });

  it('the clock measures lateness after the breach until fulfilled', () => {
    const { out } = simulate(POLICY, [created('T', t('10:00')), comment('T', t('10:45'), 'agent')]);
    const fulfilled = pick(out, 'sla.fulfilled', { metric: 'first_response' })[0];
    expect(fulfilled?.breached).toBe(true);
    expect(fulfilled?.late_ms).toBe(15 * 60_000);
  });

  it('thresholds already past after a re-application fire at once, and nothing fires twice (§8.3)', () => {
    // high: first_response 1 h. At 10:40 priority becomes urgent (30 m): 40 m elapsed > 30 m target.
    const { out } = simulate(POLICY, [
      created('T', t('10:00'), { priority: 'high' }),
      { at: t('10:40'), type: 'priority.changed', ticket: 'T', priority: 'urgent' },
    ]);
    const fr = pick(out, 'sla.warning', { metric: 'first_response' });
    expect(fr.map((o) => [o.at, o.threshold])).toEqual([
      [t('10:30'), '50%'],
      [t('10:40'), '10m'],
    ]);
    expect(pick(out, 'sla.breached', { metric: 'first_response' }).map((o) => o.at)).toEqual([t('10:40')]);
  });

  it('a recorded breach stays recorded when a later change moves the due moment later (§8.3)', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00')),
      { at: t('10:35'), type: 'priority.changed', ticket: 'T', priority: 'high' },
    ]);
    expect(pick(out, 'sla.breached', { metric: 'first_response' }).map((o) => o.at)).toEqual([t('10:30')]);
    expect(pick(out, 'sla.applied', { metric: 'first_response', reapplied: true })).toHaveLength(1);
  });
});

describe('re-application', () => {
  it('keeps elapsed time and gives the new target (priority change)', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00'), { priority: 'high' }),
      { at: t('10:10'), type: 'priority.changed', ticket: 'T', priority: 'urgent' },
    ]);
    const reapplied = pick(out, 'sla.applied', { metric: 'first_response', reapplied: true })[0];
    expect(reapplied?.due).toBe(t('10:30'));
    expect(reapplied?.elapsed_ms).toBe(10 * 60_000);
  });

  it('a metric without a target under the new priority ends with sla.stopped (§8.9)', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00'), { priority: 'high' }),
      { at: t('10:10'), type: 'priority.changed', ticket: 'T', priority: 'low' },
    ]);
    expect(pick(out, 'sla.stopped', { metric: 'first_response' }).map((o) => o.at)).toEqual([t('10:10')]);
    expect(pick(out, 'sla.applied', { metric: 'resolution', reapplied: true })).toHaveLength(1);
  });

  it('a metric that gains a target starts only at its own start event (§8.9)', () => {
    const { out } = simulate(POLICY, [
      created('T', t('10:00'), { priority: 'low' }),
      { at: t('10:10'), type: 'priority.changed', ticket: 'T', priority: 'urgent' },
    ]);
    expect(pick(out, 'sla.applied', { metric: 'first_response' })).toEqual([]);
  });
});

describe('business time', () => {
  it('counts only inside calendar intervals (lunch break, night, weekend, holiday)', () => {
    // Wednesday 2026-11-25 16:30 New York (21:30Z); Thursday is a holiday; 1 h target:
    // 30 min on Wednesday, then Friday 09:00-09:30 New York (14:30Z).
    const { out } = simulate(POLICY, [
      created('T', '2026-11-25T21:30:00Z', { priority: 'normal', organization: { id: 'o', tier: 'standard' } }),
    ]);
    expect(due(out, 'first_response')).toEqual(['2026-11-27T14:30:00.000Z']);
    // resolution 8 h: Wed 0.5 h + Fri 7 h (09-12, 13-17) + Mon 0.5 h → Monday 09:30 (14:30Z).
    expect(due(out, 'resolution')).toEqual(['2026-11-30T14:30:00.000Z']);
  });
});

describe('status', () => {
  it('the first public agent comment moves new to open', () => {
    const { out } = simulate(POLICY, [created('T', t('10:00')), comment('T', t('10:01'), 'agent')]);
    expect(pick(out, 'status.changed').map((o) => [o.from, o.status])).toEqual([['new', 'open']]);
  });

  it('refuses a move into new and a move out of closed', () => {
    expect(() =>
      simulate(POLICY, [created('T', t('10:00')), status('T', t('10:01'), 'open'), status('T', t('10:02'), 'new')]),
    ).toThrow(/line 3: invalid_transition/);
    expect(() =>
      simulate(POLICY, [created('T', t('10:00')), status('T', t('10:01'), 'closed'), status('T', t('10:02'), 'open')]),
    ).toThrow(/line 3: .*closed/);
  });

  it('solving fulfils resolution, stops every other clock and cancels the timers', () => {
    const { out, sim, engine } = simulate(POLICY, [
      created('T', t('10:00')),
      comment('T', t('10:05'), 'agent'),
      comment('T', t('10:06'), 'customer'),
      status('T', t('10:10'), 'solved'),
    ]);
    expect(pick(out, 'sla.fulfilled', { metric: 'resolution' })).toHaveLength(1);
    expect(pick(out, 'sla.stopped').map((o) => o.metric).sort()).toEqual(['next_response', 'periodic_update']);
    expect(engine.timers(sim.state('T')!)).toEqual([]);
  });
});
