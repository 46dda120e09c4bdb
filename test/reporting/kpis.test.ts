// The §7 KPIs of known workloads: hand-computed values for a small hand-made workload, and
// an independent plain computation (test/reporting/independent.ts) for the reference example
// and the 14,538 ServiceNow-derived tickets.
import { beforeAll, describe, expect, it } from 'vitest';
import { computeKpis, type KpiQuery, type KpiReport } from '../../src/domain/reporting/kpis.ts';
import { deriveTicketRollup, type Stint, type TicketFacts } from '../../src/domain/reporting/ticket-facts.ts';
import { independentKpis } from './independent.ts';
import { TEAM_LEVELS, exampleStream, handmadeStream, grouped, serviceNowStream, type Line } from './streams.ts';

const H = 3_600_000;
const M = 60_000;

function report(lines: Line[], q: Partial<KpiQuery> & { from: number; to: number }): KpiReport {
  const facts: TicketFacts[] = [];
  const stints: Stint[] = [];
  for (const g of grouped(lines)) {
    const r = deriveTicketRollup(g.ticket, g.events, { teamLevels: TEAM_LEVELS });
    if (r) {
      facts.push(r.facts);
      stints.push(...r.stints);
    }
  }
  return computeKpis(facts, stints, { timeZone: 'UTC', asOf: q.to, filters: {}, firstLevel: 'L1', ...q });
}


describe('KPIs of the hand-made workload (values worked out by hand)', () => {
  const lines = handmadeStream();
  const r = report(lines, { from: Date.parse('2026-12-01T00:00:00Z'), to: Date.parse('2026-12-03T00:00:00Z'), asOf: Date.parse('2027-01-01T00:00:00Z') });

  it('counts the cohorts and the escalation rate', () => {
    expect(r.ticketsCreated).toBe(9);
    expect(r.ticketsSolved).toBe(7); // H7 was closed unsolved; H6 is still open
    expect(r.escalationRate).toEqual({ numerator: 5, denominator: 9, rate: 5 / 9 });
  });

  it('gives time to escalate and escalation resolution time (nearest-rank median and p90)', () => {
    // H2, H3, H8 at creation; H4 after 20m; H6 after 51h (resolution breach, 2 days later)
    expect(r.timeToEscalateMs).toEqual({ count: 5, median: 0, p90: 51 * H });
    // H2 56m, H8 2h30, H4 5h40 (its final solve after the reopen), H3 26h30
    expect(r.escalationResolutionMs).toEqual({ count: 4, median: 150 * M, p90: 26.5 * H });
  });

  it('gives first-contact resolution, bounce and re-escalation', () => {
    // only H1: H5 had two replies, H9 was solved by a level-2 team
    expect(r.firstContactResolution).toEqual({ numerator: 1, denominator: 7, rate: 1 / 7 });
    expect(r.bounceRate.numerator).toBe(1); // H5, reassigned 3 times
    expect(r.reEscalationRate).toEqual({ numerator: 1, denominator: 5, rate: 1 / 5 }); // H6
  });

  it('gives SLA compliance per metric as met / (met + breached), counting a reopened clock once', () => {
    // first_response: 6 met; breached: H3 (fulfilled late) and H6 (still running, past due);
    // H7 stopped when closed before its due moment: neither met nor breached
    expect(r.slaCompliance.first_response).toMatchObject({ numerator: 6, denominator: 8, met: 6, breached: 2, fulfilledLate: 1, stopped: 1 });
    // resolution: H4 was fulfilled, reopened (resumed) and fulfilled again: one clock, met;
    // H6's resolution clock breached while still running
    expect(r.slaCompliance.resolution).toMatchObject({ numerator: 8, denominator: 9, met: 8, breached: 1 });
  });

  it('a stopped clock that never breached is neither met nor breached', () => {
    for (const s of Object.values(r.slaCompliance)) expect(s.denominator).toBe(s.met + s.breached);
    expect(r.slaCompliance.first_response.stopped).toBeGreaterThan(0);
  });

  it('gives causes by reason category and by rule', () => {
    expect(r.causes.byReason).toEqual([
      { reason: 'sla_risk', count: 4 },
      { reason: 'financial_high_value', count: 2 },
      { reason: 'legal_compliance', count: 1 },
      { reason: 'technical_complexity', count: 1 },
    ]);
    expect(Object.fromEntries(r.causes.byRule.map((c) => [c.rule, c.count]))).toEqual({
      'unacknowledged-goes-up': 3,
      'breach-goes-up': 1,
      'billing-dispute': 1,
      'cancellation-risk-high-value': 1,
      'legal-risk': 1,
      manual: 1,
    });
  });

  it('gives per level and team figures', () => {
    const l1 = r.levels.find((g) => g.key === 'L1');
    expect(l1?.volumeIn).toBe(9);
    expect(l1?.breachRate).toEqual({ numerator: 1, denominator: 9, rate: 1 / 9 }); // H6 breached at L1
    const specialists = r.teams.find((g) => g.key === 'specialists');
    expect(specialists?.volumeIn).toBe(3); // H4, H6 escalated; H9 transferred
    expect(specialists?.reEscalationRate).toEqual({ numerator: 1, denominator: 2, rate: 0.5 }); // H6 went on up
    // H1 held 40m at L1; H9 10m at frontline then 30m at specialists
    expect(r.teams.find((g) => g.key === 'frontline')?.timeHeldMs.count).toBe(9); // every ticket has left or been solved
    expect(r.teams.find((g) => g.key === 'specialists')?.timeHeldMs).toMatchObject({ count: 3 })
  });

  it('filters by tier, channel, priority and team', () => {
    const base = { from: Date.parse('2026-12-01T00:00:00Z'), to: Date.parse('2026-12-03T00:00:00Z') };
    expect(report(lines, { ...base, filters: { tier: 'enterprise' } }).ticketsCreated).toBe(4); // H1 H4 H7 H9
    expect(report(lines, { ...base, filters: { channel: 'phone' } }).ticketsCreated).toBe(2); // H5 H6
    expect(report(lines, { ...base, filters: { priority: 'high' } }).ticketsCreated).toBe(3); // H3 (raised by rule), H4, H6
    expect(report(lines, { ...base, filters: { team: 'specialists' } }).ticketsCreated).toBe(3);
    expect(report(lines, { ...base, filters: { level: 'executive' } }).ticketsCreated).toBe(1);
  });

  it('buckets trends by day and week in the reporting time zone', () => {
    expect(r.trends.day.map((d) => [d.bucket, d.created])).toEqual([
      ['2026-12-01', 7],
      ['2026-12-02', 2],
    ]);
    expect(r.trends.week).toHaveLength(1);
    expect(r.trends.week[0]?.bucket).toBe('2026-11-30'); // the Monday
    // in Auckland (UTC+13) Dec 1 local ends at 11:00Z: H5 (12:00Z) and later fall on Dec 2
    const nz = report(lines, { from: Date.parse('2026-11-30T11:00:00Z'), to: Date.parse('2026-12-02T11:00:00Z'), timeZone: 'Pacific/Auckland' });
    expect(nz.trends.day.map((d) => [d.bucket, d.created])).toEqual([
      ['2026-12-01', 4],
      ['2026-12-02', 5],
    ]);
  });
});

function compare(lines: Line[], from: number, to: number, asOf: number): void {
  const r = report(lines, { from, to, asOf });
  const ind = independentKpis(lines, from, to, asOf, TEAM_LEVELS);
  expect(r.ticketsCreated).toBe(ind.created);
  expect(r.ticketsSolved).toBe(ind.solved);
  expect(r.escalationRate.numerator).toBe(ind.escalated);
  expect([r.timeToEscalateMs.median, r.timeToEscalateMs.p90]).toEqual([ind.tteMedian, ind.tteP90]);
  expect([r.escalationResolutionMs.median, r.escalationResolutionMs.p90]).toEqual([ind.ertMedian, ind.ertP90]);
  expect(r.firstContactResolution.numerator).toBe(ind.fcr);
  expect(r.bounceRate.numerator).toBe(ind.bounced);
  expect(r.reEscalationRate.numerator).toBe(ind.reEscalated);
  for (const [m, s] of Object.entries(ind.sla)) expect([m, r.slaCompliance[m as 'resolution'].numerator, r.slaCompliance[m as 'resolution'].denominator]).toEqual([m, s.met, s.met + s.breached]);
  expect(Object.fromEntries(r.causes.byReason.map((c) => [c.reason, c.count]))).toEqual(ind.byReason);
  expect(Object.fromEntries(r.causes.byRule.map((c) => [c.rule, c.count]))).toEqual(ind.byRule);
  expect(Object.fromEntries(r.levels.map((g) => [g.key, g.volumeIn]))).toEqual(ind.levelIn);
  expect(Object.fromEntries(r.teams.map((g) => [g.key, g.volumeIn]))).toEqual(ind.teamIn);
  expect(Object.fromEntries(r.bottlenecks.byStatus.map((s) => [s.key, s.totalMs]))).toEqual(Object.fromEntries(Object.entries(ind.statusMs).filter(([k]) => r.bottlenecks.byStatus.some((s) => s.key === k))));
}

describe('KPIs agree with an independent computation', () => {
  it('on the reference example workload', () => {
    compare(exampleStream(), Date.parse('2026-11-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'), Date.parse('2027-02-01T00:00:00Z'));
  });

  it('on the hand-made workload', () => {
    compare(handmadeStream(), Date.parse('2026-12-01T00:00:00Z'), Date.parse('2026-12-02T12:00:00Z'), Date.parse('2027-02-01T00:00:00Z'));
  });

  describe('on the 14,538 ServiceNow-derived tickets', () => {
    let lines: Line[] = [];
    beforeAll(async () => {
      lines = await serviceNowStream();
    });
    it('for a 30-day period and for the whole log', () => {
      expect(lines.length).toBeGreaterThan(200_000);
      const asOf = Date.parse('2017-06-01T00:00:00Z');
      compare(lines, Date.parse('2016-03-01T00:00:00Z'), Date.parse('2016-03-31T00:00:00Z'), asOf);
      compare(lines, Date.parse('2016-01-01T00:00:00Z'), Date.parse('2017-06-01T00:00:00Z'), asOf);
    });
  });
});

describe('trend buckets across a daylight-saving change', () => {
  it('puts instants on their local day and ISO week', async () => {
    const { Bucketer } = await import('../../src/domain/reporting/buckets.ts');
    const b = new Bucketer('America/New_York');
    // clocks go forward on 2026-03-08 at 02:00 local (07:00Z)
    expect(b.label(Date.parse('2026-03-08T06:59:00Z'), 'day')).toBe('2026-03-08');
    expect(b.label(Date.parse('2026-03-09T03:59:00Z'), 'day')).toBe('2026-03-08'); // 23:59 EDT
    expect(b.label(Date.parse('2026-03-09T04:00:00Z'), 'day')).toBe('2026-03-09');
    expect(b.label(Date.parse('2026-03-08T04:59:00Z'), 'day')).toBe('2026-03-07'); // 23:59 EST
    expect(b.label(Date.parse('2026-03-08T12:00:00Z'), 'week')).toBe('2026-03-02'); // a Sunday: its week began Monday 2 March
    expect(b.labels(Date.parse('2026-03-07T05:00:00Z'), Date.parse('2026-03-10T04:00:00Z'), 'day')).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
  });
});
