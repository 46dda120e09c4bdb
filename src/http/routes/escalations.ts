/**
 * Escalation through the API (issue 4): escalate (staff with reason + documentation; a
 * customer on their own ticket, reason customer_request), de-escalate, acknowledge; the
 * engine's view of a ticket (clocks, escalation state); the escalation history with the why
 * of every automatic one; and the queue views.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerViewOf } from '../../app/customer-fields.ts';
import { acknowledgeEscalation, deescalateTicket, escalateTicket } from '../../app/escalate-ticket.ts';
import { engineView, escalationHistory, queue } from '../../app/read-escalation.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { DomainError } from '../../domain/errors.ts';
import { REASONS } from '../../domain/policy/types.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentEvent, presentTicket } from '../present.ts';
import { eventOut, ticketOut, ticketRefParams } from '../schemas.ts';

const text = z.string().trim().min(1).max(20_000);
const escalateIn = z.strictObject({
  to_level: z.string().min(1).max(64).optional(),
  to_team: z.string().min(1).max(64).optional(),
  reason: z.enum(REASONS).optional(),
  documentation: z.strictObject({ summary: text, steps_taken: text, needs_attention: text }).optional(),
  require_acknowledgement: z.boolean().optional(),
  comment: z.string().max(20_000).optional(),
});
const deescalateIn = z.strictObject({
  reason: z.string().trim().min(1).max(2_000),
  to_level: z.string().min(1).max(64).optional(),
  to_team: z.string().min(1).max(64).optional(),
});
const changeOut = z.object({ ticket: ticketOut, events: z.array(eventOut) });
const requestOut = z.object({
  outcome: z.enum(['escalated', 'recorded']),
  level: z.string().nullable(),
  level_name: z.string().nullable(),
  message: z.string(),
  next_request_from: z.string().nullable(),
});
const escalateOut = changeOut.extend({ request: requestOut.optional().describe("a customer's request: what happened, in the customer's terms") });
const clockOut = z.object({
  metric: z.string(),
  status: z.string(),
  target_ms: z.number(),
  elapsed_ms: z.number(),
  due: z.string().nullable(),
  paused: z.boolean(),
  breached: z.boolean(),
});
const engineOut = z.object({
  policy_version: z.number().nullable(),
  sla_policy: z.string().nullable(),
  clocks: z.array(clockOut),
  escalation: z.object({
    level: z.string().nullable(),
    team: z.string().nullable(),
    owner: z.string().nullable(),
    escalations: z.number(),
    acknowledgement_pending: z.object({ escalation_id: z.string(), since: z.string() }).nullable(),
    can_acknowledge: z.boolean(),
    acknowledge_refusal: z.string().nullable(),
    chain: z.array(z.record(z.string(), z.unknown())),
  }),
  next_moments: z.array(z.object({ key: z.string(), due: z.string() })),
});
const queueQuery = z.strictObject({
  team: z.string().min(1).max(1000).optional().describe('a team id, or several comma-separated'),
  level: z.string().min(1).max(64).optional(),
  within_minutes: z.coerce.number().int().min(1).max(100_000).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const escalationRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const staff = { access: STAFF_ROLES };
  const present = (c: { ticket: Parameters<typeof presentTicket>[0]; events: Parameters<typeof presentEvent>[0][] }) => ({
    ticket: presentTicket(c.ticket),
    events: c.events.map((e) => presentEvent(e)),
  });
  const live = () => {
    if (!deps.live) throw new DomainError('NO_POLICY', 'this server runs without the escalation engine', {});
    return { ...deps, live: deps.live };
  };

  app.post(
    '/tickets/:ticketRef/escalate',
    { config: { access: 'authenticated' }, schema: { tags: ['escalation'], params: ticketRefParams, body: escalateIn, response: { 200: escalateOut } } },
    async (req) => {
      const actor = actorOf(req);
      const committed = await escalateTicket(deps, actor, req.params.ticketRef, req.body);
      const view = present(committed);
      // A customer learns where the ticket went (the level's name), never the internal events.
      if (actor.role !== 'customer') return view;
      return { ticket: presentTicket(committed.ticket, await customerViewOf(deps, actor)), events: [], ...(committed.request && { request: committed.request }) };
    },
  );
  app.post(
    '/tickets/:ticketRef/de-escalate',
    { config: staff, schema: { tags: ['escalation'], params: ticketRefParams, body: deescalateIn, response: { 200: changeOut } } },
    async (req) => present(await deescalateTicket(deps, actorOf(req), req.params.ticketRef, req.body)),
  );
  app.post(
    '/tickets/:ticketRef/acknowledge',
    { config: staff, schema: { tags: ['escalation'], params: ticketRefParams, response: { 200: changeOut } } },
    async (req) => present(await acknowledgeEscalation(deps, actorOf(req), req.params.ticketRef)),
  );
  app.get(
    '/tickets/:ticketRef/escalations',
    { config: staff, schema: { tags: ['escalation'], params: ticketRefParams, response: { 200: z.object({ items: z.array(eventOut) }) } } },
    async (req) => ({ items: (await escalationHistory(deps, actorOf(req), req.params.ticketRef)).map((e) => presentEvent(e)) }),
  );
  app.get(
    '/tickets/:ticketRef/sla',
    { config: staff, schema: { tags: ['escalation'], params: ticketRefParams, response: { 200: engineOut } } },
    async (req) => engineView(live(), actorOf(req), req.params.ticketRef),
  );
  for (const view of ['escalated', 'breaching', 'awaiting-ack'] as const) {
    app.get(
      `/queues/${view}`,
      { config: staff, schema: { tags: ['queues'], querystring: queueQuery, response: { 200: z.object({ items: z.array(ticketOut) }) } } },
      async (req) => ({ items: (await queue(deps, { view, ...req.query }, actorOf(req))).tickets.map((t) => presentTicket(t)) }),
    );
  }
  app.get(
    '/queues/by-team',
    {
      config: staff,
      schema: {
        tags: ['queues'],
        response: {
          200: z.object({
            items: z.array(z.object({ level: z.string().nullable(), team: z.string().nullable(), open: z.number(), escalated: z.number(), unacknowledged: z.number() })),
          }),
        },
      },
    },
    async () => ({ items: (await queue(deps, { view: 'by-team', limit: 1000 })).counts ?? [] }),
  );
};
