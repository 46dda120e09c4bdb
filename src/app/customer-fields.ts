/** The policy's `customer_fields:` in force (docs/policy.md): the defaults without a policy or without the section. */
import type { Kysely } from 'kysely';
import { isStaff, type Actor } from '../auth/roles.ts';
import { DEFAULT_CUSTOMER_FIELDS, type CustomerFieldsDef } from '../domain/policy/types.ts';
import type { Database } from '../store/schema.ts';
import type { AppDeps } from './deps.ts';

export async function customerFieldsInForce(deps: AppDeps, db: Kysely<Database> = deps.store.db): Promise<CustomerFieldsDef> {
  const active = deps.live ? await deps.live.registry.refresh(db) : null;
  return active?.policy.customerFields ?? DEFAULT_CUSTOMER_FIELDS;
}

/** What a reader sees of routing and triage: null for staff (everything), the policy's customer_fields for a customer. */
export async function customerViewOf(deps: AppDeps, actor: Actor): Promise<CustomerFieldsDef | null> {
  return isStaff(actor.role) ? null : customerFieldsInForce(deps);
}
