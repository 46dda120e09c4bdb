/**
 * The risk model's quality on the tickets it has met since it was trained (issue 14): what the
 * dashboard shows so a manager sees when to retrain.
 *
 * Which tickets count: those solved (status solved or closed, with a solved instant) that were
 * opened after the model's `trainedThrough` — the latest opening in its training data, so none
 * of them can have been learnt from — and that the model in force scored (`risk_model` is its
 * id, `risk_opening` set). The score judged is `risk_opening`, the first one the model gave the
 * ticket: a score given later, once the trouble shows, would flatter the model.
 *
 * The outcome is the model's own target: `breach` — the ticket has an `sla.breached` event;
 * `escalation` — it was escalated at least once.
 *
 * Figures: ROC-AUC, Brier score, the reliability table (10 bins) and its mean gap (expected
 * calibration error). Below MIN_TICKETS tickets every figure is null, with the reason; with
 * only one outcome among them the AUC is null (it compares the two), the rest is given.
 */
import { brier, reliability, rocAuc, type ReliabilityBin } from '../domain/risk/metrics.ts';
import type { AppDeps } from './deps.ts';
import { modelInForce, NO_MODEL_HINT, type ModelInForce } from './read-risk.ts';

export const MIN_TICKETS = 20;
export const BINS = 10;
/** Retrain when the AUC on new tickets falls under this… */
export const RETRAIN_AUC = 0.7;
/** …or the scores are off from the observed rates by more than this on average (10 points). */
export const RETRAIN_CALIBRATION_ERROR = 0.1;
/** …or the AUC has fallen this far below the model's own validation AUC. */
export const RETRAIN_AUC_DROP = 0.1;

export interface RiskQuality {
  model: ModelInForce | null;
  /** Set when no model is in force: how to put one in force. */
  message: string | null;
  /** Which tickets were measured, in words, and the opening instant they are after. */
  window: { opened_after: string | null; description: string };
  n: number;
  positives: number;
  auc: number | null;
  brier: number | null;
  /** Mean |predicted − observed| over the bins, weighted by their tickets. */
  calibration_error: number | null;
  reliability: ReliabilityBin[];
  /** Why figures are null (too few tickets, one outcome only); null when all are given. */
  reason: string | null;
  retrain: { advised: boolean; why: string[] };
}

export interface QualityFilter {
  /** A team id, or several comma-separated: only those teams' tickets. */
  team?: string;
}


export async function riskQuality(deps: AppDeps, f: QualityFilter = {}): Promise<RiskQuality> {
  const db = deps.store.db;
  const model = await modelInForce(db);
  if (!model) {
    return {
      model: null,
      message: NO_MODEL_HINT,
      window: { opened_after: null, description: 'no model in force' },
      n: 0,
      positives: 0,
      auc: null,
      brier: null,
      calibration_error: null,
      reliability: [],
      reason: 'no model in force',
      retrain: { advised: false, why: [] },
    };
  }
  const through = Date.parse(model.meta.trainedThrough);
  const after = Number.isFinite(through) ? through : model.activatedAt;
  const target = model.meta.target;
  let q = db
    .selectFrom('tickets')
    .select((eb) => [
      'risk_opening',
      'escalations',
      eb.exists(eb.selectFrom('events').select('events.id').whereRef('events.ticket_id', '=', 'tickets.id').where('events.type', '=', 'sla.breached')).as('breached'),
    ])
    .where('status', 'in', ['solved', 'closed'])
    .where('solved_at', 'is not', null)
    .where('created_at', '>', after)
    .where('risk_model', '=', model.meta.id)
    .where('risk_opening', 'is not', null);
  if (f.team) q = q.where('team', 'in', f.team.split(',').filter((t) => t !== ''));
  const rows = await q.execute();
  const scores = rows.map((r) => Math.min(1, Math.max(0, Number(r.risk_opening))));
  const outcomes = rows.map((r) => (target === 'escalation' ? Number(r.escalations) > 0 : r.breached === true || Number(r.breached) === 1));
  const n = rows.length;
  const positives = outcomes.filter(Boolean).length;
  const outcome = target === 'escalation' ? 'escalated' : 'breached an SLA';
  const window = {
    opened_after: new Date(after).toISOString(),
    description: `tickets opened after ${new Date(after).toISOString()} (the model's training data ends there), solved since, and scored at opening by this model${f.team ? ` (teams ${f.team})` : ''}; the outcome: the ticket ${outcome}`,
  };
  if (n < MIN_TICKETS) {
    return {
      model,
      message: null,
      window,
      n,
      positives,
      auc: null,
      brier: null,
      calibration_error: null,
      reliability: [],
      reason: `only ${n} ticket${n === 1 ? '' : 's'} solved since the model was trained; the figures need at least ${MIN_TICKETS}`,
      retrain: { advised: false, why: [] },
    };
  }
  const auc = rocAuc(scores, outcomes);
  const bins = reliability(scores, outcomes, BINS);
  const calibrationError = bins.reduce((sum, b) => sum + (b.n === 0 || b.predicted === null || b.observed === null ? 0 : (b.n / n) * Math.abs(b.predicted - b.observed)), 0);
  const why: string[] = [];
  if (auc !== null && auc < RETRAIN_AUC) why.push(`the AUC on new tickets is ${auc.toFixed(2)}, under ${RETRAIN_AUC.toFixed(2)}`);
  if (auc !== null && Number.isFinite(model.meta.validation?.auc) && model.meta.validation.auc - auc > RETRAIN_AUC_DROP) {
    why.push(`the AUC fell from ${model.meta.validation.auc.toFixed(2)} at validation to ${auc.toFixed(2)}`);
  }
  if (calibrationError > RETRAIN_CALIBRATION_ERROR) why.push(`the scores are off from what happened by ${(calibrationError * 100).toFixed(0)} percentage points on average (calibration drift)`);
  return {
    model,
    message: null,
    window,
    n,
    positives,
    auc,
    brier: brier(scores, outcomes),
    calibration_error: calibrationError,
    reliability: bins,
    reason: auc === null ? `all ${n} tickets ${positives === n ? 'had' : 'lacked'} the outcome (${outcome}): the AUC needs both` : null,
    retrain: { advised: why.length > 0, why },
  };
}
