/** The support hours and targets of the policy in force, for the public /support-hours page. */
import { describeSupportHours, type SupportHours } from '../domain/support-hours.ts';
import type { AppDeps } from './deps.ts';
import { PolicyRegistry } from './policy-registry.ts';

/** Without a live engine (a bare API), the policy is read here. */
const fallback = new PolicyRegistry();

export async function readSupportHours(deps: AppDeps): Promise<SupportHours> {
  const active = await (deps.live?.registry ?? fallback).refresh(deps.store.db);
  if (!active) return { policy_version: null, calendars: [], tiers: [] };
  return describeSupportHours(active.policy, active.version, deps.clock.now());
}
