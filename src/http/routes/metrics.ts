/**
 * GET /metrics in the Prometheus text format: open tickets by level, timers pending, outbox
 * backlog and failures (read from the database at scrape time), timer firing lag (recorded by
 * the scheduler, src/reporting/ops-metrics.ts) and request latency (an onResponse hook on every
 * route of the app). Public like most scrape targets: it shows counts, never ticket contents;
 * restrict it at the network edge if needed.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Gauge, Histogram, Registry } from 'prom-client';
import { processMetrics } from '../../reporting/ops-metrics.ts';
import type { HttpDeps } from '../build-app.ts';

const FINAL_OUTBOX = ['sent', 'merged', 'failed', 'cancelled'];
const CLOSED = ['solved', 'closed'];

function registerGauges(registry: Registry, deps: HttpDeps): void {
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
