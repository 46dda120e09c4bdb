/**
 * Which risk model is in force (issue 14): a versioned setting. Managers and admins read it
 * (the model's meta and the version history); admins set one (the body is the model file as
 * `escalon risk train` wrote it; 422 RISK_MODEL_INVALID with what is wrong when it does not
 * load) or switch risk prediction off (DELETE: a version with no model).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clearRiskModel, readRiskModel, setRiskModel, type RiskModelDeps } from '../../app/risk-model.ts';
import { DomainError } from '../../domain/errors.ts';
import type { StoredRiskModel } from '../../store/risk-repo.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';

const metaOut = z.object({
  id: z.string(),
  target: z.enum(['breach', 'escalation']),
  trained_at: z.string(),
  trained_through: z.string(),
  tickets: z.number(),
  validation: z.object({ auc: z.number(), tickets: z.number() }),
});
const versionOut = z.object({
  version: z.number(),
  /** Null: this version switched risk prediction off. */
  model: metaOut.nullable(),
  activated_at: z.string(),
  activated_by: z.string().nullable(),
});
const modelOut = z.object({
  /** The model in force, null when none is (no scores, no risk events). */
  in_force: versionOut.nullable(),
  /** Set when the version in force cannot be used on this server (its model no longer loads). */
  problem: z.string().nullable(),
  history: z.array(versionOut),
});

function present(v: StoredRiskModel): z.infer<typeof versionOut> {
  const m = v.meta;
  return {
    version: v.version,
    model: m ? { id: m.id, target: m.target, trained_at: m.trainedAt, trained_through: m.trainedThrough, tickets: m.tickets, validation: { auc: m.validation.auc, tickets: m.validation.tickets } } : null,
    activated_at: new Date(v.activatedAt).toISOString(),
    activated_by: v.activatedBy,
  };
}

export const riskModelRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const tags = ['risk'];
  const riskDeps = (): RiskModelDeps => ({ ...deps, risk: deps.live?.risk ?? null });
  const view = async () => {
    const v = await readRiskModel(riskDeps());
    return { in_force: v.inForce ? present(v.inForce) : null, problem: v.problem, history: v.history.map(present) };
  };

  app.get('/risk/model', { config: { access: ['admin', 'manager'] }, schema: { tags, response: { 200: modelOut } } }, async () => view());

  app.put('/risk/model', { config: { access: ['admin'] }, schema: { tags, response: { 200: modelOut } } }, async (req) => {
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new DomainError('RISK_MODEL_INVALID', 'send the model file (JSON, as escalon risk train wrote it) as the body; nothing was set', {});
    }
    await setRiskModel(riskDeps(), actorOf(req), req.body);
    return view();
  });

  app.delete('/risk/model', { config: { access: ['admin'] }, schema: { tags, response: { 200: modelOut } } }, async (req) => {
    await clearRiskModel(riskDeps(), actorOf(req));
    return view();
  });
};
