/** Test data: an AppDeps on a store with a manual clock, and a small cast of organizations and people. */
import { LiveEngine } from '../../src/app/live-engine.ts';
import { PolicyRegistry } from '../../src/app/policy-registry.ts';
import type { Actor, Role } from '../../src/auth/roles.ts';
import { createUser } from '../../src/app/create-user.ts';
import type { AppDeps } from '../../src/app/deps.ts';
import { createOrganization } from '../../src/app/manage-organization.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import type { Store } from '../../src/store/connect.ts';

/** Deps with the live engine on (it does nothing until a policy is applied). */
export function depsFor(store: Store, clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0))): AppDeps & { clock: ManualClock; live: LiveEngine } {
  const live = new LiveEngine(new PolicyRegistry(), clock);
  return { store, clock, attachmentLimit: 64 * 1024, engine: live, live };
}

export interface Cast {
  orgA: string;
  orgB: string;
  actors: Record<'admin' | 'manager' | 'lead' | 'agent' | 'agent2' | 'customerA' | 'customerB', Actor>;
}

let counter = 0;

export async function makeCast(deps: AppDeps, password?: string): Promise<Cast> {
  const tag = `${process.pid}-${++counter}`;
  const orgA = (await createOrganization(deps, { name: `Acme ${tag}`, tier: 'enterprise', contractValue: 250000 })).id;
  const orgB = (await createOrganization(deps, { name: `Globex ${tag}`, tier: 'standard' })).id;
  const mk = async (role: Role, name: string, org: string | null): Promise<Actor> => {
    const u = await createUser(deps, { email: `${name}-${tag}@example.com`, name, role, organizationId: org, ...(password ? { password } : {}) });
    return { userId: u.id, email: u.email, name: u.name, role: u.role, organizationId: u.organizationId };
  };
  return {
    orgA,
    orgB,
    actors: {
      admin: await mk('admin', 'admin', null),
      manager: await mk('manager', 'manager', null),
      lead: await mk('lead', 'lead', null),
      agent: await mk('agent', 'agent', null),
      agent2: await mk('agent', 'agent2', null),
      customerA: await mk('customer', 'customer-a', orgA),
      customerB: await mk('customer', 'customer-b', orgB),
    },
  };
}

/** The comment a staff member's (or an open ticket's) addComment wrote; a follow-up instead is a test failure. */
export function writtenComment<T extends { comment: { id: string } | null }>(r: T): { id: string } {
  if (!r.comment) throw new Error('expected a comment, got a follow-up ticket');
  return r.comment;
}
