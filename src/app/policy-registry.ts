/**
 * The policy in force in this process: the highest applied version in the database, parsed
 * and compiled once into an Engine. Every transaction that runs the engine first asks
 * `refresh`, a one-row primary-key read, so a version applied by another process (PostgreSQL,
 * several nodes) takes over here at the next change.
 */
import type { Kysely } from 'kysely';
import { Engine, MemoryHost } from '../domain/engine/engine.ts';
import type { EngineHost } from '../domain/engine/types.ts';
import { parsePolicy } from '../domain/policy/parse.ts';
import type { Policy } from '../domain/policy/types.ts';
import { latestPolicy, latestPolicyVersion } from '../store/policies-repo.ts';
import type { Database } from '../store/schema.ts';

export interface ActivePolicy {
  version: number;
  source: string;
  format: 'yaml' | 'json';
  policy: Policy;
  engine: Engine;
  appliedAt: number;
  appliedBy: string;
}

export class PolicyRegistry {
  private active: ActivePolicy | null = null;
  /**
   * Round-robin cursors per team: the one cross-change memory of this process (kept across
   * policy versions). Each use reads and advances a cursor synchronously, so concurrent
   * transactions never interleave within it.
   */
  private readonly cursors = new Map<string, number>();

  current(): ActivePolicy | null {
    return this.active;
  }

  /** Builds the engine for a stored version (its source was validated when it was applied). */
  compile(version: number, source: string, format: 'yaml' | 'json', appliedAt: number, appliedBy: string): ActivePolicy {
    const parsed = parsePolicy(source, { format });
    if (!parsed.ok) {
      const first = parsed.problems[0];
      throw new Error(`stored policy version ${version} no longer validates: ${first?.path}: ${first?.message}`);
    }
    const engine = new Engine({ policy: parsed.policy, policyVersion: version, host: this.hostFor(new Map()) });
    return { version, source, format, policy: parsed.policy, engine, appliedAt, appliedBy };
  }

  /** A host for one change: `load` (open tickets per agent) as read in that change's transaction. */
  hostFor(load: ReadonlyMap<string, number>): EngineHost {
    return new MemoryHost(this.cursors, new Map(load));
  }

  async refresh(db: Kysely<Database>): Promise<ActivePolicy | null> {
    const version = await latestPolicyVersion(db);
    if (version === 0) return (this.active = null);
    if (this.active?.version === version) return this.active;
    const stored = await latestPolicy(db);
    if (!stored) return (this.active = null);
    this.active = this.compile(stored.version, stored.source, stored.format, stored.appliedAt, stored.appliedBy);
    return this.active;
  }

  /** Makes a version just applied in this process current without another read. */
  adopt(active: ActivePolicy): void {
    this.active = active;
  }
}
