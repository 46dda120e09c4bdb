// GET /api/v1/reports/* and `escalon report` give the same numbers; only managers and admins
// (and leads) may read reports; the ticket review and /metrics work.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/reporting/build-report.ts';
import { reportCsv, reportJson } from '../../src/reporting/report-format.ts';
import { rebuildRollups } from '../../src/reporting/rollups.ts';
import { observeTimerFiringLag } from '../../src/reporting/ops-metrics.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';
import { applyReferencePolicy, exampleStream, grouped, handmadeStream, loadStream } from './streams.ts';

const run = promisify(execFile);
const PERIOD = 'from=2026-11-30&to=2026-12-31&tz=Europe/Paris&as_of=2027-01-15T00:00:00Z';

describeStores('reports API and CLI', (ctx) => {
  let t: TestApp;
  let keys: string[] = [];

  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    await applyReferencePolicy(ctx.store.db);
    const ids = await loadStream(ctx.store.db, [...grouped(handmadeStream()), ...grouped(exampleStream())]);
    await rebuildRollups(ctx.store.db);
    keys = (await ctx.store.db.selectFrom('tickets').select('key').where('id', 'in', ids).orderBy('number').execute()).map((r) => r.key);
  });

  it('lets managers, admins and leads read reports, and refuses everyone else', async () => {
    for (const who of ['manager', 'admin', 'lead'] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${PERIOD}`, headers: t.auth(who) });
      expect(res.statusCode).toBe(200);
    }
    for (const who of ['agent', 'customerA'] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${PERIOD}`, headers: t.auth(who) });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/reports/trends` })).statusCode).toBe(401);
  });

  it('gives leads and managers the per-agent figures, by first responder', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/agents?${PERIOD}`, headers: t.auth('lead') });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ agents: Array<{ key: string; handled: number; escalated: number; time_to_first_response_ms: { count: number }; sla_met: { denominator: number }; csat: unknown }> }>();
    expect(Object.keys(body)).toEqual(['period', 'filters', 'agents']);
    expect(body.agents.length).toBeGreaterThan(0);
    const kpis = (await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${PERIOD}`, headers: t.auth('manager') })).json<{ agents: unknown[] }>();
    expect(body.agents).toEqual(kpis.agents);
    for (const a of body.agents) {
      expect(a.escalated).toBeLessThanOrEqual(a.handled);
      expect(a.time_to_first_response_ms.count).toBe(a.handled);
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/reports/agents?${PERIOD}`, headers: t.auth('agent') })).statusCode).toBe(403);
  });

  it('returns the KPIs of the period, the sections and a CSV export with the same numbers', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${PERIOD}`, headers: t.auth('manager') });
    const body = res.json();
    expect(body.tickets_created).toBe(10);
    expect(body.escalation_rate).toEqual({ numerator: 6, denominator: 10, rate: 0.6 });
    expect(body.sla_compliance.first_response.denominator).toBeGreaterThan(0);
    expect(body.period).toMatchObject({ from: '2026-11-29T23:00:00.000Z', to: '2026-12-31T23:00:00.000Z', time_zone: 'Europe/Paris' });
    const trends = (await t.app.inject({ method: 'GET', url: `/api/v1/reports/trends?${PERIOD}`, headers: t.auth('manager') })).json();
    expect(trends.trends.day).toHaveLength(32);
    expect(trends.trends.day[1]).toMatchObject({ bucket: '2026-12-01', created: 8 });
    expect(Object.keys(trends)).toEqual(['period', 'filters', 'trends']);
    const causes = (await t.app.inject({ method: 'GET', url: `/api/v1/reports/causes?${PERIOD}`, headers: t.auth('admin') })).json();
    expect(causes.causes.by_reason[0]).toEqual({ reason: 'sla_risk', count: 8 });
    const csv = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${PERIOD}&format=csv`, headers: t.auth('manager') });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')[0]).toBe('section,group,metric,value');
    expect(csv.body).toContain('escalation_rate,,rate,0.6\n');
    expect(csv.body).toContain('sla_compliance,first_response,rate,');
    expect(csv.body).toContain('levels,L1,volume_in,10\n');
    const direct = await buildReport(ctx.store.db, { from: '2026-11-30', to: '2026-12-31', tz: 'Europe/Paris', asOf: '2027-01-15T00:00:00Z' }, 0);
    expect(body).toEqual(reportJson(direct));
    expect(csv.body).toBe(reportCsv(direct));
  });

  it('filters, and refuses bad parameters with every problem listed', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${PERIOD}&tier=enterprise&channel=email`, headers: t.auth('manager') });
    expect(res.json().tickets_created).toBe(3); // H1 H7 and the example's T1
    const bad = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?from=2026-13-01&to=yesterday&tz=Mars/Base&priority=asap`, headers: t.auth('manager') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect(bad.json().error.details.issues).toHaveLength(4);
    const empty = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?from=2026-12-05&to=2026-12-01`, headers: t.auth('manager') });
    expect(empty.json().error.message).toMatch(/period is empty/);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?colour=red`, headers: t.auth('manager') })).statusCode).toBe(400);
  });

  it('gives the CLI the same numbers as the API (json and csv)', async () => {
    const env = { ...process.env, ESCALON_DATABASE_URL: ctx.url };
    const args = ['bin/escalon.js', 'report', '--from', '2026-11-30', '--to', '2026-12-31', '--tz', 'Europe/Paris', '--as-of', '2027-01-15T00:00:00Z', '--team', 'specialists'];
    const api = (await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${PERIOD}&team=specialists`, headers: t.auth('manager') })).json();
    const json = await run('node', [...args, '--format', 'json'], { env });
    expect(JSON.parse(json.stdout)).toEqual(api);
    const naive = await run('node', [...args, '--format', 'json', '--naive'], { env });
    expect(JSON.parse(naive.stdout)).toEqual(api);
    const csv = await run('node', [...args, '--format', 'csv'], { env });
    const apiCsv = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?${PERIOD}&team=specialists&format=csv`, headers: t.auth('manager') });
    expect(csv.stdout).toBe(apiCsv.body);
    const table = await run('node', [...args], { env });
    expect(table.stdout).toContain('escalation rate');
    await expect(run('node', ['bin/escalon.js', 'report', '--from', 'soon'], { env })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('VALIDATION_FAILED') });
  }, 60_000);

  it("shows a ticket's escalation history for review, as JSON, Markdown and CSV", async () => {
    const h4 = keys[3] ?? '';
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${h4}/review`, headers: t.auth('agent') });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.moves).toEqual([expect.objectContaining({ type: 'escalated', from_level: 'L1', to_level: 'L2', to_team: 'specialists', reason: 'technical_complexity', rule: null, summary: '500s on export' })]);
    expect(r.stays.filter((s: { kind: string }) => s.kind === 'level').map((s: { key: string; held_ms: number }) => [s.key, s.held_ms])).toEqual([
      ['L1', 20 * 60_000],
      ['L2', (3 * 60 + 40 + 60) * 60_000], // 10:20–14:00 then, reopened by the customer's reply, 15:00–16:00
    ]);
    expect(r.clocks.map((c: { metric: string; outcome: string }) => [c.metric, c.outcome])).toEqual([
      ['first_response', 'met'],
      ['resolution', 'met'],
    ]);
    const mdRes = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${h4}/review?format=markdown`, headers: t.auth('manager') });
    expect(mdRes.body).toContain(`# Escalation review — ${h4}`);
    expect(mdRes.body).toContain('| escalated | L1 / frontline | L2 / specialists |');
    const csvRes = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${h4}/review?format=csv`, headers: t.auth('manager') });
    expect(csvRes.body.split('\n').filter((l) => l.includes(',move,'))).toHaveLength(1);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${h4}/review`, headers: t.auth('customerA') })).statusCode).toBe(403);
  });

  describe('/metrics', () => {
    it('exposes open tickets by level, timers, outbox, timer lag and request latency', async () => {
      observeTimerFiringLag(120, 'sla');
      await t.app.inject({ method: 'GET', url: '/api/v1/reports/kpis', headers: t.auth('manager') });
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      for (const name of ['escalon_open_tickets', 'escalon_timers_pending', 'escalon_outbox_backlog', 'escalon_outbox_failures', 'escalon_timer_firing_lag_seconds_bucket', 'escalon_http_request_duration_seconds_bucket']) {
        expect(res.body).toContain(name);
      }
      expect(res.body).toMatch(/escalon_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/reports\/kpis",status_code="200"\} [1-9]/);
      expect(res.body).toMatch(/escalon_timer_firing_lag_seconds_count\{kind="sla"\} [1-9]/);
    });
  });
});
