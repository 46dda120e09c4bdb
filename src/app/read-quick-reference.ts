/** The quick-reference guide of the policy in force (domain/quick-reference.ts), for GET /quick-reference. */
import { buildQuickReference, type QuickReference } from '../domain/quick-reference.ts';
import type { AppDeps } from './deps.ts';
import { PolicyRegistry } from './policy-registry.ts';

/** Without a live engine (a bare API), the policy is read here. */
const fallback = new PolicyRegistry();

export async function readQuickReference(deps: AppDeps): Promise<QuickReference> {
  const active = await (deps.live?.registry ?? fallback).refresh(deps.store.db);
  return buildQuickReference(active?.policy ?? null, active?.version ?? null, deps.clock.now());
}
