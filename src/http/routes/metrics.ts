/**
 * GET /metrics in the Prometheus text format: open tickets by level, timers pending, outbox
 * backlog and failures (read from the database at scrape time), timer firing lag (recorded by
 * the scheduler, src/reporting/ops-metrics.ts) and request latency (an onResponse hook on every
 * route of the app), and the KPIs of the report (escalon_report_*): the same report as
 * `GET /api/v1/reports/kpis` with no parameters (the last 30 days, UTC), computed by the same
 * code at scrape time, so the numbers agree with the API, the CSV, the CLI and the dashboard.
 * Public like most scrape targets: it shows counts, never ticket contents; restrict it at the
 * network edge if needed.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Gauge, Histogram, Registry } from 'prom-client';
import type { KpiReport } from '../../domain/reporting/kpis.ts';
import { buildReport } from '../../reporting/build-report.ts';
import { processMetrics } from '../../reporting/ops-metrics.ts';
import type { HttpDeps } from '../build-app.ts';

const FINAL_OUTBOX = ['sent', 'merged', 'failed', 'cancelled'];
const CLOSED = ['solved', 'closed'];

/** The report's figures as gauges; one report per scrape (the three gauges share it). */
function registerReportGauges(registry: Registry, deps: HttpDeps): void {
  let cached: { at: number; report: Promise<KpiReport> } | null = null;
  const report = (): Promise<KpiReport> => {
    const now = deps.clock.now();
    if (!cached || now - cached.at > 1000 || now < cached.at) cached = { at: now, report: buildReport(deps.store.db, {}, now) };
    return cached.report;
  };
  new Gauge({
    name: 'escalon_report_tickets',
    help: 'Tickets in the report period (last 30 days, UTC): created and solved cohorts',
    labelNames: ['cohort'] as const,
    registers: [registry],
    async collect() {
      const r = await report();
      this.reset();
      this.set({ cohort: 'created' }, r.ticketsCreated);
      this.set({ cohort: 'solved' }, r.ticketsSolved);
    },
  });
  new Gauge({
    name: 'escalon_report_ratio',
    help: 'KPI ratios of the report (0-1): escalation_rate, first_contact_resolution, re_escalation_rate, bounce_rate, sla_compliance{group=metric}, csat{group=escalated|not_escalated}; absent when nothing was counted',
    labelNames: ['figure', 'group'] as const,
    registers: [registry],
    async collect() {
      const r = await report();
      this.reset();
      const put = (figure: string, group: string, rate: number | null) => {
        if (rate !== null) this.set({ figure, group }, rate);
      };
      put('escalation_rate', '', r.escalationRate.rate);
      put('first_contact_resolution', '', r.firstContactResolution.rate);
      put('re_escalation_rate', '', r.reEscalationRate.rate);
      put('bounce_rate', '', r.bounceRate.rate);
      for (const [metric, s] of Object.entries(r.slaCompliance)) put('sla_compliance', metric, s.rate);
      put('csat', 'escalated', r.csat.escalated.rate);
      put('csat', 'not_escalated', r.csat.notEscalated.rate);
    },
  });
  new Gauge({
    name: 'escalon_report_duration_seconds',
    help: 'KPI durations of the report: time_to_escalate and escalation_resolution, median (0.5) and p90 (0.9)',
    labelNames: ['figure', 'quantile'] as const,
    registers: [registry],
    async collect() {
      const r = await report();
      this.reset();
      for (const [figure, d] of [
        ['time_to_escalate', r.timeToEscalateMs],
        ['escalation_resolution', r.escalationResolutionMs],
      ] as const) {
        if (d.median !== null) this.set({ figure, quantile: '0.5' }, d.median / 1000);
        if (d.p90 !== null) this.set({ figure, quantile: '0.9' }, d.p90 / 1000);
      }
    },
  });
}

function registerGauges(registry: Registry, deps: HttpDeps): void {
  registerReportGauges(registry, deps);
  const db = deps.store.db;
  new Gauge({
    name: 'escalon_open_tickets',
    help: 'Tickets not solved or closed, by level',
    labelNames: ['level'] as const,
    registers: [registry],
    async collect() {
      const rows = await db.selectFrom('tickets').select(['level', (eb) => eb.fn.countAll<number>().as('n')]).where('status', 'not in', CLOSED).groupBy('level').execute();
      this.reset();
      for (const r of rows) this.set({ level: r.level ?? 'none' }, Number(r.n));
    },
  });
  new Gauge({
    name: 'escalon_timers_pending',
    help: 'Durable timers waiting to fire',
    registers: [registry],
    async collect() {
      const r = await db.selectFrom('timers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      this.set(Number(r?.n ?? 0));
    },
  });
  new Gauge({
    name: 'escalon_timers_overdue',
    help: 'Timers whose due moment has passed but that have not fired yet',
    registers: [registry],
    async collect() {
      const r = await db.selectFrom('timers').select((eb) => eb.fn.countAll<number>().as('n')).where('due_at', '<=', deps.clock.now()).executeTakeFirst();
      this.set(Number(r?.n ?? 0));
    },
  });
  new Gauge({
    name: 'escalon_outbox_backlog',
    help: 'Notifications not yet delivered (queued or retrying), by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
    async collect() {
      const rows = await db.selectFrom('outbox').select(['channel', (eb) => eb.fn.countAll<number>().as('n')]).where('status', 'not in', FINAL_OUTBOX).groupBy('channel').execute();
      this.reset();
      for (const r of rows) this.set({ channel: r.channel }, Number(r.n));
    },
  });
  new Gauge({
    name: 'escalon_outbox_failures',
    help: 'Notifications that failed for good (failed), or are retrying after a failed attempt (retrying), by channel',
    labelNames: ['channel', 'state'] as const,
    registers: [registry],
    async collect() {
      const failed = await db.selectFrom('outbox').select(['channel', (eb) => eb.fn.countAll<number>().as('n')]).where('status', '=', 'failed').groupBy('channel').execute();
      const retrying = await db
        .selectFrom('outbox')
        .select(['channel', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', 'not in', FINAL_OUTBOX)
        .where('attempts', '>', 0)
        .groupBy('channel')
        .execute();
      this.reset();
      for (const r of failed) this.set({ channel: r.channel, state: 'failed' }, Number(r.n));
      for (const r of retrying) this.set({ channel: r.channel, state: 'retrying' }, Number(r.n));
    },
  });
}

/**
 * Registered at the root with skip-override (like fastify-plugin), so that its onResponse
 * hook times every route of the app, not only its own.
 */
const plugin: FastifyPluginAsync<{ deps: HttpDeps }> = async (app: FastifyInstance, { deps }) => {
  const registry = new Registry();
  registerGauges(registry, deps);
  const latency = new Histogram({
    name: 'escalon_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    latency.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    const merged = Registry.merge([registry, processMetrics]);
    return reply.type(merged.contentType).send(await merged.metrics());
  });
};

export const metricsRoutes = Object.assign(plugin, { [Symbol.for('skip-override')]: true });
