/**
 * The policy in force in this process: the highest applied version in the database, parsed
 * and compiled once into an Engine. Every transaction that runs the engine first asks
 * `refresh`. The version check (a one-row read) is itself cached (store/change-watch.ts, topic
 * `policy`): re-read when a version is inserted by this process (at once), by another process
 * (SQLite: its commit moves data_version; PostgreSQL: the `policies` trigger's notification),
 * and at least every VERSION_TTL_MS — so a version applied elsewhere takes over here at the
 * next change after its commit is known.
 */
import type { Kysely } from 'kysely';
import { Engine, MemoryHost } from '../domain/engine/engine.ts';
import type { EngineHost } from '../domain/engine/types.ts';
import { parsePolicy } from '../domain/policy/parse.ts';
import type { Policy } from '../domain/policy/types.ts';
import { watchOf, type ChangeWatch } from '../store/change-watch.ts';
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

/** The safety net: the version in force is re-read at least this often, notification or not. */
export const VERSION_TTL_MS = 5_000;

/** When a cached version check may answer: same store, its topic unmoved, young enough. */
export class VersionCheck {
  private last: { watch: ChangeWatch; epoch: number; at: number } | null = null;

  constructor(private readonly topic: 'policy' | 'risk') {}

  fresh(watch: ChangeWatch | undefined): boolean {
    const l = this.last;
    return !!watch && !!l && l.watch === watch && watch.usable(this.topic) && l.epoch === watch.epoch(this.topic) && Date.now() - l.at < VERSION_TTL_MS;
  }

  /** Call before reading the version; the returned function records the read as current (if nothing moved meanwhile). */
  begin(watch: ChangeWatch | undefined): () => void {
    if (!watch) return () => undefined;
    const epoch = watch.epoch(this.topic);
    const at = Date.now();
    return () => {
      this.last = watch.usable(this.topic) && watch.epoch(this.topic) === epoch ? { watch, epoch, at } : null;
    };
  }
}

export class PolicyRegistry {
  private active: ActivePolicy | null = null;
  private readonly check = new VersionCheck('policy');
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
    const watch = watchOf(db);
    if (this.check.fresh(watch)) return this.active;
    const done = this.check.begin(watch);
    const version = await latestPolicyVersion(db);
    if (version === 0) {
      this.active = null;
    } else if (this.active?.version !== version) {
      const stored = await latestPolicy(db);
      this.active = stored ? this.compile(stored.version, stored.source, stored.format, stored.appliedAt, stored.appliedBy) : null;
    }
    done();
    return this.active;
  }

  /** Makes a version just applied in this process current without another read. */
  adopt(active: ActivePolicy): void {
    this.active = active;
  }
}
