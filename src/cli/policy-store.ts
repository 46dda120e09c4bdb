/** What the policy commands that read or write the database share: the store opened (and migrated on SQLite) with a live engine. */
import { hostname } from 'node:os';
import type { PolicyDeps } from '../app/apply-policy.ts';
import { systemClock } from '../app/deps.ts';
import { LiveEngine } from '../app/live-engine.ts';
import { PolicyRegistry } from '../app/policy-registry.ts';
import type { Actor } from '../auth/roles.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { loadConfigOrExit, withStore } from './runtime.ts';

export const CLI_ACTOR: Actor = { userId: 'cli', email: `cli@${hostname()}`, name: 'escalon CLI', role: 'admin', organizationId: null };

export async function withPolicyDeps<T>(fn: (deps: PolicyDeps) => Promise<T>): Promise<T> {
  const config = loadConfigOrExit();
  return withStore(config, async (store) => {
    if (store.dialect === 'sqlite') await migrateToLatest(store);
    const live = new LiveEngine(new PolicyRegistry(), systemClock);
    return fn({ store, clock: systemClock, attachmentLimit: config.http.attachmentLimit, engine: live, live });
  });
}
