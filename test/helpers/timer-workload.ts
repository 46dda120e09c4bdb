/**
 * A timer-heavy workload for the scheduler crash tests and the timer benchmark: N tickets of
 * an enterprise organization (24x7 SLA calendar in the reference policy), created through the
 * live engine with a manual clock, so each holds the warning, breach, idle and — after the
 * resolution breach — unacknowledged-escalation timers the reference policy implies.
 *
 * `expectedEvents` replays the same tickets through `Simulation` (what `escalon simulate`
 * runs) so a test can compare the live database's events with the engine's own account.
 */
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { Engine } from '../../src/domain/engine/engine.ts';
import type { Priority } from '../../src/domain/policy/types.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { Simulation, toOutputLine } from '../../src/domain/simulation.ts';
import type { Store } from '../../src/store/connect.ts';
import { depsFor, makeCast } from './fixtures.ts';

export interface WorkloadTicket {
  key: string;
  at: number;
  priority: Priority;
}

export interface TimerWorkload {
  tickets: WorkloadTicket[];
  organization: { id: string; tier: string; contractValue: number };
  requester: string;
}

const PRIORITIES: Priority[] = ['urgent', 'high', 'urgent', 'normal'];
const SUBJECT = 'Checkout down';
const BODY = 'All payments fail.';

/** Creates `count` tickets, one every `spacingMs` from `start`, with the reference policy applied. */
export async function createTimerWorkload(store: Store, start: number, count: number, spacingMs: number): Promise<TimerWorkload> {
  const deps = depsFor(store);
  deps.clock.set(start - 60_000);
  const cast = await makeCast(deps);
  await applyPolicy(deps, cast.actors.admin, REFERENCE_POLICY, 'yaml');
  const tickets: WorkloadTicket[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * spacingMs;
    const priority = PRIORITIES[i % PRIORITIES.length] as Priority;
    deps.clock.set(at);
    const { ticket } = await createTicket(deps, cast.actors.agent, { requesterId: cast.actors.customerA.userId, subject: SUBJECT, body: BODY, priority, channel: 'web' });
    tickets.push({ key: ticket.key, at, priority });
  }
  // makeCast's organization A: enterprise, contract value 250000.
  return { tickets, organization: { id: cast.orgA, tier: 'enterprise', contractValue: 250000 }, requester: cast.actors.customerA.email };
}

/** One comparable line per SLA, escalation and notification event: `at type detail`. */
export function comparableLine(at: number, type: string, p: Record<string, unknown>): string | null {
  const iso = new Date(at).toISOString();
  if (type.startsWith('sla.')) return `${iso} ${type} ${String(p.metric)} ${String(p.threshold ?? '')}`;
  if (type === 'ticket.escalated' || type === 'escalation.refused') return `${iso} ${type} ${String(p.to_level ?? '')} ${String(p.rule ?? '')}`;
  if (type === 'notification.queued') return `${iso} ${type} ${String(p.rule ?? '')} ${String(p.template ?? '')}`;
  return null;
}

/** What the engine implies for these tickets up to `until` (inclusive), per ticket key, in order. */
export function expectedEvents(w: TimerWorkload, until: number): Map<string, string[]> {
  const parsed = parsePolicy(REFERENCE_POLICY);
  if (!parsed.ok) throw new Error('the reference policy was refused');
  const out = new Map<string, string[]>(w.tickets.map((t) => [t.key, []]));
  const sim = new Simulation(new Engine({ policy: parsed.policy }), (e) => {
    const line = toOutputLine(e) as Record<string, unknown>;
    const c = comparableLine(e.at, e.type, line);
    if (c) out.get(e.ticket)?.push(c);
  });
  w.tickets.forEach((t, i) => {
    sim.input({
      line: i + 1,
      at: t.at,
      ref: t.key,
      input: {
        type: 'ticket.created',
        ticket: {
          ref: t.key,
          priority: t.priority,
          organization: { id: w.organization.id, tier: w.organization.tier, contract_value: w.organization.contractValue },
          subject: SUBJECT,
          body: BODY,
          channel: 'web',
          tags: [],
          category: null,
          requester: w.requester,
        },
      },
    });
  });
  sim.finish(until);
  return out;
}
