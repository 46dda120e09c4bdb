/**
 * Figures that agree everywhere: on the demo data (with a survey-link rating and a portal
 * rating added) and on the ServiceNow import, the report API's JSON, its CSV, `escalon report`
 * (json and csv), the naive path and /metrics give the same numbers for every KPI; every CSAT
 * source is counted; stopped clocks count as neither met nor breached.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../../src/app/seed-demo.ts';
import type { Actor } from '../../src/auth/roles.ts';
import { rateTicket, recordCsat } from '../../src/intake/record-csat.ts';
import { surveyToken } from '../../src/notify/signed-links.ts';
import { buildReport } from '../../src/reporting/build-report.ts';
import { reportCsv, reportJson } from '../../src/reporting/report-format.ts';
import { rebuildRollups } from '../../src/reporting/rollups.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores, type StoreContext } from '../helpers/db.ts';
import { applyReferencePolicy, grouped, loadStream, serviceNowStream, TEAM_LEVELS } from './streams.ts';

const run = promisify(execFile);
type Json = Record<string, unknown>;

/** Every figure the API, the CSV, the CLI and the naive path must agree on, for one period. */
async function expectAgreement(ctx: StoreContext, t: TestApp, period: { from: string; to: string; asOf: string }) {
  const qs = `from=${period.from}&to=${period.to}&as_of=${period.asOf}`;
  const api = (await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${qs}`, headers: t.auth('manager') })).json<Json>();
  const apiCsv = (await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${qs}&format=csv`, headers: t.auth('lead') })).body;
  const naive = await buildReport(ctx.store.db, { from: period.from, to: period.to, asOf: period.asOf }, 0, { engine: 'naive' });
  expect(api).toEqual(reportJson(naive));
  expect(apiCsv).toBe(reportCsv(naive));
  const env = { ...process.env, ESCALON_DATABASE_URL: ctx.url };
  const args = ['bin/escalon.js', 'report', '--from', period.from, '--to', period.to, '--as-of', period.asOf];
  expect(JSON.parse((await run('node', [...args, '--format', 'json'], { env })).stdout)).toEqual(api);
  expect((await run('node', [...args, '--format', 'csv'], { env })).stdout).toBe(apiCsv);
  const sla = api.sla_compliance as Record<string, { numerator: number; denominator: number; met: number; breached: number }>;
  for (const s of Object.values(sla)) expect([s.numerator, s.denominator]).toEqual([s.met, s.met + s.breached]);
  return api;
}

/** /metrics against the API's default report (no parameters: the last 30 days, UTC). */
async function expectMetricsAgree(t: TestApp) {
  const api = (await t.app.inject({ method: 'GET', url: '/api/v1/reports/kpis', headers: t.auth('admin') })).json<{
    tickets_created: number;
    escalation_rate: { rate: number | null };
    bounce_rate: { rate: number | null };
    first_contact_resolution: { rate: number | null };
    sla_compliance: Record<string, { rate: number | null }>;
    csat: { escalated: { rate: number | null }; not_escalated: { rate: number | null } };
    time_to_escalate_ms: { median: number | null };
  }>();
  const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const value = (name: string, labels: string): number | null => {
    const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
  };
  expect(value('escalon_report_tickets', 'cohort="created"')).toBe(api.tickets_created);
  expect(value('escalon_report_ratio', 'figure="escalation_rate",group=""')).toBeCloseTo(api.escalation_rate.rate ?? NaN, 12);
  expect(value('escalon_report_ratio', 'figure="bounce_rate",group=""')).toBeCloseTo(api.bounce_rate.rate ?? NaN, 12);
  expect(value('escalon_report_ratio', 'figure="first_contact_resolution",group=""')).toBe(api.first_contact_resolution.rate);
  for (const [m, s] of Object.entries(api.sla_compliance)) expect([m, value('escalon_report_ratio', `figure="sla_compliance",group="${m}"`)]).toEqual([m, s.rate]);
  expect(value('escalon_report_ratio', 'figure="csat",group="escalated"')).toBe(api.csat.escalated.rate);
  expect(value('escalon_report_ratio', 'figure="csat",group="not_escalated"')).toBe(api.csat.not_escalated.rate);
  expect(value('escalon_report_duration_seconds', 'figure="time_to_escalate",quantile="0.5"')).toBe(api.time_to_escalate_ms.median === null ? null : api.time_to_escalate_ms.median / 1000);
  return api;
}

describeStores('figures agree on the demo data', (ctx) => {
  let t: TestApp;
  const now = Date.parse('2026-11-20T12:00:00Z');
  beforeAll(async () => {
    await seedDemo(ctx.store, { tickets: 40, now, csat: false });
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(now);
    // Two CSAT sources: the survey link of the email, and the portal's rating form.
    const solved = await ctx.store.db.selectFrom('tickets').select(['id', 'key', 'requester_id', 'organization_id']).where('status', 'in', ['solved', 'closed']).orderBy('number').limit(2).execute();
    expect(solved).toHaveLength(2);
    const [byLink, byPortal] = solved as [(typeof solved)[number], (typeof solved)[number]];
    const secret = 'figures-agree-secret';
    await recordCsat(t.deps, secret, surveyToken(secret, byLink.id, now + 86_400_000), { rating: 5, comment: null });
    const customer: Actor = { userId: byPortal.requester_id, email: 'customer@example.com', name: 'Customer', role: 'customer', organizationId: byPortal.organization_id };
    await rateTicket(t.deps, customer, byPortal.key, { rating: 2, comment: 'slow' });
  }, 120_000);
  afterAll(async () => {
    await t.app.close();
  });

  it('API JSON, CSV, CLI and the naive path give the same report; every CSAT source is counted', async () => {
    const api = await expectAgreement(ctx, t, { from: '2026-11-01', to: '2026-11-20', asOf: '2026-11-20T12:00:00Z' });
    const csat = api.csat as { escalated: { denominator: number; numerator: number }; not_escalated: { denominator: number; numerator: number } };
    expect(csat.escalated.denominator + csat.not_escalated.denominator).toBe(2);
    expect(csat.escalated.numerator + csat.not_escalated.numerator).toBe(1);
    const stopped = Object.values(api.sla_compliance as Record<string, { stopped: number }>).reduce((a, s) => a + s.stopped, 0);
    expect(stopped).toBeGreaterThan(0);
  }, 120_000);

  it('/metrics gives the numbers of the default report', async () => {
    const api = await expectMetricsAgree(t);
    expect(api.tickets_created).toBeGreaterThan(0);
  });
});

describeStores('figures agree on the ServiceNow import', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    await applyReferencePolicy(ctx.store.db);
    await loadStream(ctx.store.db, grouped(await serviceNowStream()));
    await rebuildRollups(ctx.store.db, { teamLevels: TEAM_LEVELS });
    t.deps.clock.set(Date.parse('2016-03-31T12:00:00Z'));
  }, 300_000);
  afterAll(async () => {
    await t?.app.close();
  });

  it('API JSON, CSV, CLI, the naive path and /metrics give the same report', async () => {
    const api = await expectAgreement(ctx, t, { from: '2016-03-01', to: '2016-03-31', asOf: '2017-06-01T00:00:00Z' });
    expect(api.tickets_created).toBeGreaterThan(1000);
    await expectMetricsAgree(t);
  }, 300_000);
});
