/**
 * Escalation risk, read side (issue 14): the "likely to breach" queue (staff) and the model's
 * quality on tickets solved since it was trained (leads, managers, admins: the dashboard).
 * A ticket's own score rides on GET /tickets/:ref and the ticket list, for staff only
 * (routes/tickets.ts). Activating a model is routes/risk-model.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { likelyToBreach, NO_MODEL_HINT } from '../../app/read-risk.ts';
import { riskQuality } from '../../app/read-risk-quality.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentTicket } from '../present.ts';
import { presentRiskModel, presentRiskView, riskBandOut, riskModelOut, riskOut } from '../risk-schemas.ts';
import { instant, ticketOut } from '../schemas.ts';

const queueQuery = z.strictObject({
  team: z.string().min(1).max(1000).optional().describe('a team id, or several comma-separated'),
  level: z.string().min(1).max(64).optional(),
  band: riskBandOut.optional().describe('only tickets at or above this band'),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const queueOut = z.object({
  model: riskModelOut.nullable().describe('the model in force; null: none, and the queue is empty'),
  message: z.string().nullable().describe('why the queue is empty when no model is in force, and how to activate one'),
  items: z.array(ticketOut.extend({ risk: riskOut })),
  next_cursor: z.string().nullable(),
});

const qualityQuery = z.strictObject({
  team: z.string().min(1).max(1000).optional().describe("a team id, or several comma-separated: only those teams' tickets"),
});

const binOut = z.object({
  from: z.number(),
  to: z.number(),
  n: z.number().int(),
  predicted: z.number().nullable().describe('mean opening score in the bin'),
  observed: z.number().nullable().describe('share of the bin that had the outcome'),
});

const qualityOut = z.object({
  model: riskModelOut.nullable(),
  message: z.string().nullable().describe('set when no model is in force: how an admin activates one'),
  window: z.object({ opened_after: instant.nullable(), description: z.string() }),
  n: z.number().int().describe('tickets measured'),
  positives: z.number().int().describe('of which had the outcome the model predicts'),
  auc: z.number().nullable().describe('ROC-AUC of the opening score against the outcome'),
  brier: z.number().nullable(),
  calibration_error: z.number().nullable().describe('mean |predicted − observed| over the bins, weighted by tickets'),
  reliability: z.array(binOut).describe('10 equal-width bins of the opening score'),
  reason: z.string().nullable().describe('why figures are null'),
  retrain: z.object({ advised: z.boolean(), why: z.array(z.string()) }),
});

export const riskRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.get(
    '/queues/likely-to-breach',
    { config: { access: STAFF_ROLES }, schema: { tags: ['queues'], querystring: queueQuery, response: { 200: queueOut } } },
    async (req) => {
      const q = req.query;
      const page = await likelyToBreach(deps, {
        limit: q.limit,
        ...(q.team !== undefined && { team: q.team }),
        ...(q.level !== undefined && { level: q.level }),
        ...(q.band !== undefined && { band: q.band }),
        ...(q.cursor !== undefined && { cursor: q.cursor }),
      });
      return {
        model: presentRiskModel(page.model),
        message: page.model ? null : NO_MODEL_HINT,
        items: page.items.map((i) => ({ ...presentTicket(i.ticket), risk: presentRiskView(i.risk) })),
        next_cursor: page.nextCursor,
      };
    },
  );

  // Leads read it too, as they read the reports; staff are not team-scoped for reading (docs/security.md).
  app.get(
    '/risk/quality',
    { config: { access: ['admin', 'manager', 'lead'] as const }, schema: { tags: ['risk'], querystring: qualityQuery, response: { 200: qualityOut } } },
    async (req) => {
      const r = await riskQuality(deps, req.query.team !== undefined ? { team: req.query.team } : {});
      return { ...r, model: presentRiskModel(r.model) };
    },
  );
};
