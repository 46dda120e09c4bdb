/**
 * A ticket's SLA state in one line, from GET /tickets/:ref/sla: the running clock that matters
 * most (breached first, then warned, then the earliest due) and its tone — `warn` once a
 * warning threshold of its SLA policy has passed (fewer `sla:<metric>:warn:*` moments pending
 * than the policy's `warn_at` lists; 75 % elapsed when the policy is unknown), `breach` once
 * breached or past due. Pure, so the queue can re-evaluate it every second.
 */
import type { SlaView } from './api.ts';
import { warningsOf, type PolicyModel } from './policy-model.ts';

export type SlaTone = 'ok' | 'warn' | 'breach' | 'none';

export interface SlaSummary {
  tone: SlaTone;
  metric: string | null;
  /** Epoch ms of the moment counted to (breach due), or null. */
  due: number | null;
  paused: boolean;
  ackPending: boolean;
}

export function summarise(view: SlaView | undefined, model: PolicyModel | null, now: number): SlaSummary {
  const none: SlaSummary = { tone: 'none', metric: null, due: null, paused: false, ackPending: false };
  if (!view) return none;
  const ackPending = view.escalation.acknowledgement_pending !== null;
  const live = view.clocks.filter((c) => c.status === 'running' || c.status === 'paused');
  if (live.length === 0) return { ...none, ackPending };
  const configured = warningsOf(model, view.sla_policy);
  let best: SlaSummary | null = null;
  for (const c of live) {
    const due = c.due ? new Date(c.due).getTime() : null;
    const pendingWarns = view.next_moments.filter((m) => m.key.startsWith(`sla:${c.metric}:warn:`) && new Date(m.due).getTime() > now).length;
    // A paused clock has no pending moments to read a warning from; it shows as paused, not amber.
    const warned = c.paused ? false : configured !== null ? configured > 0 && pendingWarns < configured : c.elapsed_ms >= 0.75 * c.target_ms;
    const breached = c.breached || (due !== null && due <= now && !c.paused);
    const tone: SlaTone = breached ? 'breach' : warned ? 'warn' : 'ok';
    const s: SlaSummary = { tone, metric: c.metric, due, paused: c.paused, ackPending };
    const rank = (x: SlaSummary) => (x.tone === 'breach' ? 0 : x.tone === 'warn' ? 1 : 2);
    // Worst tone first; then a running clock before a paused one; then the earliest due.
    const key = (x: SlaSummary) => [rank(x), x.paused ? 1 : 0, x.due ?? Infinity] as const;
    const [a, b] = [key(s), best ? key(best) : null];
    if (!b || a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) best = s;
  }
  return best ?? none;
}
