/** Intake counters exposed on /metrics (process registry). */
import { Counter } from 'prom-client';
import { processMetrics } from '../reporting/ops-metrics.ts';

export const honeypotHits = new Counter({
  name: 'escalon_intake_honeypot_total',
  help: 'Web-form submissions with the hidden honeypot field filled (answered as accepted, nothing stored)',
  registers: [processMetrics],
});
