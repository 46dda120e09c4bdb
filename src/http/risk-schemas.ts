/** Wire shapes of escalation risk (issue 14), shared by the ticket routes and the risk routes. */
import { z } from 'zod';
import type { ModelInForce, RiskView } from '../app/read-risk.ts';
import { RISK_BANDS } from '../domain/risk/api.ts';
import { instant, ticketOut } from './schemas.ts';

export const riskBandOut = z.enum(['low', 'medium', 'high'] satisfies typeof RISK_BANDS).describe('low below 0.3, medium below 0.6, high from 0.6');

export const riskOut = z
  .object({
    score: z.number().describe('probability (0–1) of the bad outcome the model was trained for'),
    band: riskBandOut,
    reasons: z.array(z.object({ feature: z.string(), effect: z.number().describe('signed effect on the probability (0.08 = +8 points)') })).describe('largest effect first'),
    at: instant.nullable().describe('when the score was given'),
    model: z.string().nullable().describe('id of the model that gave it'),
  })
  .describe("a ticket's latest escalation-risk score (staff only)");

export const riskModelOut = z.object({
  version: z.number().int(),
  id: z.string(),
  target: z.enum(['breach', 'escalation']),
  trained_at: z.string(),
  trained_through: z.string().describe('the latest ticket opening in the training data'),
  tickets: z.number().int(),
  validation: z.object({ auc: z.number().nullable(), tickets: z.number().int() }),
  activated_at: instant,
  activated_by: z.string().nullable(),
});

/** A ticket of a list as staff see it: its score and band (null without one). */
export const staffTicketListItemOut = ticketOut.extend({
  risk_score: z.number().nullable().optional().describe('staff only: the latest escalation-risk score'),
  risk_band: riskBandOut.nullable().optional().describe('staff only'),
});

export function presentRiskView(r: RiskView) {
  return { score: r.score, band: r.band, reasons: r.reasons, at: r.at, model: r.model };
}

export const presentRisk = (r: RiskView | null | undefined) => (r ? presentRiskView(r) : null);

export function presentRiskModel(m: ModelInForce | null) {
  if (!m) return null;
  const v = m.meta.validation as { auc?: unknown; tickets?: unknown } | undefined;
  return {
    version: m.version,
    id: m.meta.id,
    target: m.meta.target,
    trained_at: m.meta.trainedAt,
    trained_through: m.meta.trainedThrough,
    tickets: m.meta.tickets,
    validation: { auc: typeof v?.auc === 'number' && Number.isFinite(v.auc) ? v.auc : null, tickets: typeof v?.tickets === 'number' ? v.tickets : 0 },
    activated_at: new Date(m.activatedAt).toISOString(),
    activated_by: m.activatedBy,
  };
}
