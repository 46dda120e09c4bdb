/**
 * A ticket's expectations for its customer (domain/expectations.ts) from its engine state and
 * the policy in force: the due moments of its first-response and resolution clocks, told in
 * the SLA calendar's time zone. Without a policy or clocks there is nothing to promise.
 */
import type { Kysely } from 'kysely';
import { dueOf } from '../domain/engine/sla.ts';
import { describeExpectations, NO_EXPECTATIONS, type Expectations } from '../domain/expectations.ts';
import type { Database } from '../store/schema.ts';
import { loadEngineState } from './live-engine.ts';
import type { PolicyRegistry } from './policy-registry.ts';

export async function expectationsOf(db: Kysely<Database>, registry: PolicyRegistry, ticketId: string): Promise<Expectations> {
  const [state, active] = await Promise.all([loadEngineState(db, ticketId), registry.refresh(db)]);
  if (!state || !active || state.status === 'solved' || state.status === 'closed') return NO_EXPECTATIONS;
  const sla = active.engine.ctx.slaById(state.slaPolicy);
  const spec = sla ? active.policy.calendars[sla.def.calendar] : undefined;
  if (!sla || !spec) return NO_EXPECTATIONS;
  const clocks = Object.values(state.clocks)
    .filter((c) => c !== undefined)
    .map((c) => ({ metric: c.metric, status: c.status, targetMs: c.target, due: dueOf(c, sla.calendar), breached: c.breached }));
  return describeExpectations(clocks, { timezone: spec.timezone, alwaysOpen: spec.alwaysOpen });
}
