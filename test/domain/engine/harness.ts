// A small driver for engine tests: a policy (YAML), workload lines as objects, and the
// output lines of the simulation, as `escalon simulate` would print them.
import { readFileSync } from 'node:fs';
import { Engine } from '../../../src/domain/engine/engine.ts';
import { parsePolicy } from '../../../src/domain/policy/parse.ts';
import type { Policy } from '../../../src/domain/policy/types.ts';
import { Simulation, toOutputLine } from '../../../src/domain/simulation.ts';
import { parseWorkloadLine } from '../../../src/domain/workload.ts';

export type Out = Record<string, unknown> & { at: string; ticket: string; type: string };

export const REFERENCE_POLICY = readFileSync(new URL('../../../examples/escalon.policy.yaml', import.meta.url), 'utf8');

export function policyOf(yaml: string): Policy {
  const parsed = parsePolicy(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return parsed.policy;
}

export function simulate(policy: Policy | string, lines: Array<Record<string, unknown>>, until?: string) {
  const engine = new Engine({ policy: typeof policy === 'string' ? policyOf(policy) : policy });
  const out: Out[] = [];
  const sim = new Simulation(engine, (e) => out.push(toOutputLine(e) as Out));
  lines.forEach((l, i) => {
    const parsed = parseWorkloadLine(JSON.stringify(l), i + 1);
    if (!parsed.ok) throw new Error(`line ${i + 1}: ${parsed.message}`);
    sim.input(parsed.value);
  });
  sim.finish(until ? Date.parse(until) : sim.lastInputAt + 30 * 24 * 3600 * 1000);
  return { out, sim, engine };
}

/** `HH:MM[:SS]` on 2026-12-01 (a Tuesday) in UTC, as the ISO instant the output uses. */
export function t(hm: string, day = '2026-12-01'): string {
  return new Date(`${day}T${hm.length === 5 ? hm + ':00' : hm}Z`).toISOString();
}

export function pick(out: Out[], type: string, extra: Record<string, unknown> = {}): Out[] {
  return out.filter((o) => o.type === type && Object.entries(extra).every(([k, v]) => o[k] === v));
}

export function created(ticket: string, at: string, fields: Record<string, unknown> = {}) {
  return {
    at,
    type: 'ticket.created',
    ticket,
    priority: 'urgent',
    organization: { id: 'acme', tier: 'enterprise' },
    subject: 'Checkout down',
    body: 'Payments fail.',
    channel: 'email',
    ...fields,
  };
}

export function comment(ticket: string, at: string, author: 'agent' | 'customer', body = 'ok', isPublic = true) {
  return { at, type: 'comment.added', ticket, author, public: isPublic, body };
}

export function status(ticket: string, at: string, s: string) {
  return { at, type: 'status.changed', ticket, status: s };
}
