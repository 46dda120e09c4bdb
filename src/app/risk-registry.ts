/**
 * The risk model in force in this process (issue 14): the highest version of the `risk_models`
 * setting, loaded once into a RiskModel. Like the policy registry, every transaction that
 * scores asks `refresh`, a one-row primary-key read, so a version set by another node
 * (`escalon risk use`, the admin API) takes over here at the next change. A version with no
 * model (`--none`) switches scoring off; memos are folded whatever the setting. The version
 * read is cached like the policy's (policy-registry.ts VersionCheck, topic `risk`).
 */
import type { Kysely } from 'kysely';
import type { FoldRiskMemo, RiskModel, RiskModelMeta } from '../domain/risk/api.ts';
import type { LoadRiskModel } from '../domain/risk/live-deps.ts';
import { latestRiskModel, latestRiskModelVersion } from '../store/risk-repo.ts';
import type { Database } from '../store/schema.ts';
import { watchOf } from '../store/change-watch.ts';
import { VersionCheck } from './policy-registry.ts';
import { riskDeps } from './risk-wiring.ts';

export interface ActiveRiskModel {
  version: number;
  model: RiskModel;
  meta: RiskModelMeta;
  activatedAt: number;
  activatedBy: string | null;
  /** Scorings that failed in this process (the model threw or gave no probability), and the last one's message. */
  failures: { count: number; last: string | null };
}

export class RiskRegistry {
  private version = -1;
  private active: ActiveRiskModel | null = null;
  private readonly check = new VersionCheck('risk');
  /** Why the version in force scores nothing (its model no longer loads), else null. */
  problem: string | null = null;

  constructor(
    readonly fold: FoldRiskMemo,
    readonly load: LoadRiskModel,
  ) {}

  current(): ActiveRiskModel | null {
    return this.active;
  }

  async refresh(db: Kysely<Database>): Promise<ActiveRiskModel | null> {
    const watch = watchOf(db);
    if (this.check.fresh(watch)) return this.active;
    const done = this.check.begin(watch);
    const active = await this.read(db);
    done();
    return active;
  }

  private async read(db: Kysely<Database>): Promise<ActiveRiskModel | null> {
    const version = await latestRiskModelVersion(db);
    if (version === this.version) return this.active;
    const stored = version === 0 ? null : await latestRiskModel(db);
    this.version = stored?.version ?? 0;
    this.problem = null;
    if (!stored || stored.modelId === '') return (this.active = null);
    let model: RiskModel;
    try {
      model = this.load(JSON.parse(stored.model));
    } catch (e) {
      // Validated when it was set; a model that no longer loads (a format this build does not
      // read) scores nothing rather than failing every change. GET /api/v1/risk/model says why.
      this.problem = `risk model version ${stored.version} no longer loads: ${(e as Error).message}; set another with escalon risk use`;
      return (this.active = null);
    }
    this.problem = null;
    this.active = { version: stored.version, model, meta: model.meta, activatedAt: stored.activatedAt, activatedBy: stored.activatedBy, failures: { count: 0, last: null } };
    return this.active;
  }
}

/** The registry of the composition point, or null when this build has no risk models. */
export function defaultRiskRegistry(): RiskRegistry | null {
  const deps = riskDeps();
  return deps ? new RiskRegistry(deps.fold, deps.load) : null;
}
