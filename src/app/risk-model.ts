/**
 * Which risk model is in force (issue 14): a versioned setting, like the policy. Setting a
 * model loads it first (a file that does not load is refused, nothing set) and adds a version;
 * `none` adds a version with no model, which switches scoring off and clears the scores on the
 * tickets (no model: no scores, no events, an empty queue). Each node's RiskRegistry picks up
 * the new version at its next change; the scheduler's rescoring pass notices it within its
 * check period and rescores every open ticket at once (risk-rescore.ts).
 */
import type { Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import type { RiskModelMeta } from '../domain/risk/api.ts';
import { insertRiskModel, latestRiskModel, riskModelHistory, type StoredRiskModel } from '../store/risk-repo.ts';
import type { AppDeps } from './deps.ts';
import type { RiskRegistry } from './risk-registry.ts';
import { inTransaction } from './unit-of-work.ts';

export interface RiskModelDeps extends AppDeps {
  readonly risk: RiskRegistry | null;
}

export interface RiskModelView {
  /** The model in force, null when none is. */
  inForce: (StoredRiskModel & { meta: RiskModelMeta }) | null;
  /** Why the version in force scores nothing (its model no longer loads on this server). */
  problem: string | null;
  /** Every version, newest first (a version with no model id switched scoring off). */
  history: StoredRiskModel[];
}

function registry(deps: RiskModelDeps): RiskRegistry {
  if (!deps.risk) throw new DomainError('RISK_UNAVAILABLE', 'this server is built without risk prediction: no model can be set', {});
  return deps.risk;
}

export async function readRiskModel(deps: RiskModelDeps): Promise<RiskModelView> {
  const db = deps.store.db;
  if (deps.risk) await deps.risk.refresh(db);
  const latest = await latestRiskModel(db);
  const inForce = latest && latest.modelId !== '' && latest.meta ? { ...latest, meta: latest.meta } : null;
  return { inForce, problem: deps.risk?.problem ?? null, history: await riskModelHistory(db) };
}

/** Sets `file` (a parsed model file) in force as the next version. */
export async function setRiskModel(deps: RiskModelDeps, actor: Actor, file: unknown): Promise<StoredRiskModel> {
  const risk = registry(deps);
  let meta: RiskModelMeta;
  try {
    meta = risk.load(file).meta;
  } catch (e) {
    throw new DomainError('RISK_MODEL_INVALID', `not a risk model this server can use: ${(e as Error).message}; nothing was set`, {});
  }
  const at = deps.clock.now();
  const model = JSON.stringify(file);
  const version = await inTransaction(deps.store, undefined, (trx) => insertRiskModel(trx, { modelId: meta.id, model, meta, at, by: actor.email }));
  return { version, modelId: meta.id, model, meta, activatedAt: at, activatedBy: actor.email };
}

/** Switches risk prediction off: a version with no model, and no scores left on tickets. */
export async function clearRiskModel(deps: RiskModelDeps, actor: Actor): Promise<StoredRiskModel> {
  registry(deps);
  const at = deps.clock.now();
  const version = await inTransaction(deps.store, undefined, async (trx) => {
    const v = await insertRiskModel(trx, { modelId: '', model: '', meta: null, at, by: actor.email });
    await trx
      .updateTable('tickets')
      .set({ risk_score: null, risk_band: null, risk_reasons: null, risk_at: null, risk_model: null, risk_opening: null })
      .where('risk_score', 'is not', null)
      .execute();
    return v;
  });
  return { version, modelId: '', model: '', meta: null, activatedAt: at, activatedBy: actor.email };
}
