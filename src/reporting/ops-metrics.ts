/**
 * Operations metrics that live in the process rather than in the database. The scheduler
 * calls `observeTimerFiringLag` after firing each timer (lag = fire moment − due moment); the
 * /metrics route exposes this registry beside the per-app one.
 */
import { Histogram, Registry } from 'prom-client';

export const processMetrics = new Registry();

export const timerFiringLag = new Histogram({
  name: 'escalon_timer_firing_lag_seconds',
  help: 'How late a timer (SLA warning or breach, idle, unacknowledged) fired after its due moment',
  labelNames: ['kind'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
  registers: [processMetrics],
});

/** Records one timer firing: `kind` is the timer kind (e.g. `sla`, `idle`, `ack`). */
export function observeTimerFiringLag(lagMs: number, kind = 'timer'): void {
  timerFiringLag.observe({ kind }, Math.max(0, lagMs) / 1000);
}
