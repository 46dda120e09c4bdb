/** Tickets: create, list (filters + cursor), get by key or id, patch status/priority/tags/assignee. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createTicket } from '../../app/create-ticket.ts';
import { customerFieldsInForce, customerViewOf } from '../../app/customer-fields.ts';
import { DomainError } from '../../domain/errors.ts';
import { CUSTOMER_PUBLIC_FIELDS, CUSTOMER_SETTABLE_FIELDS, PRIORITIES } from '../../domain/policy/types.ts';
import { z } from 'zod';
import { expectationsOf } from '../../app/read-expectations.ts';
import { getTicket, listTickets } from '../../app/read-tickets.ts';
import { NO_EXPECTATIONS } from '../../domain/expectations.ts';
import { updateTicket } from '../../app/update-ticket.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentTicket } from '../present.ts';
import { risksOf, ticketRisk } from '../../app/read-risk.ts';
import { presentRisk, riskOut, staffTicketListItemOut } from '../risk-schemas.ts';
import { createTicketIn, listTicketsQuery, patchTicketIn, ticketOut, ticketPage, ticketRefParams } from '../schemas.ts';

const ticketWithExpectations = ticketOut.extend({
  expectations: z.object({ first_response_due: z.string().nullable(), resolution_due: z.string().nullable(), time_zone: z.string().nullable(), text: z.string().nullable() }),
  // Staff only (absent for customers): null without a model in force or before the first score.
  risk: riskOut.nullable().optional(),
});
// The list: staff also get each ticket's risk score and band (absent for customers).
const listPage = ticketPage.extend({ items: z.array(staffTicketListItemOut) });

const customerFieldsOut = z.object({
  settable: z.array(z.enum(CUSTOMER_SETTABLE_FIELDS)).describe('besides subject, body and attachment_ids'),
  priority_max: z.enum(PRIORITIES).nullable(),
  public: z.array(z.enum(CUSTOMER_PUBLIC_FIELDS)),
});

export const ticketRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.post('/tickets', { config: { access: 'authenticated' }, schema: { tags: ['tickets'], body: createTicketIn, response: { 201: ticketOut } } }, async (req, reply) => {
    const b = req.body;
    const actor = actorOf(req);
    // A customer's channel is this path's (web); createTicket refuses one in the body.
    const { ticket } = await createTicket(deps, actor, {
      subject: b.subject,
      body: b.body,
      ...(b.channel !== undefined && { channel: b.channel }),
      ...(b.priority !== undefined && { priority: b.priority }),
      ...(b.impact !== undefined && { impact: b.impact }),
      ...(b.urgency !== undefined && { urgency: b.urgency }),
      ...(b.category !== undefined && { category: b.category }),
      ...(b.tags !== undefined && { tags: b.tags }),
      ...(b.team !== undefined && { team: b.team }),
      ...(b.requester_id !== undefined && { requesterId: b.requester_id }),
      ...(b.requester !== undefined && { requester: { email: b.requester.email, ...(b.requester.name !== undefined && { name: b.requester.name }) } }),
      ...(b.organization_id !== undefined && { organizationId: b.organization_id }),
      ...(b.assignee_id !== undefined && { assigneeId: b.assignee_id }),
      ...(b.attachment_ids !== undefined && { attachmentIds: b.attachment_ids }),
    }, { defaultOrganizationId: deps.intake?.defaultOrganizationId });
    return reply.code(201).send(presentTicket(ticket, await customerViewOf(deps, actor)));
  });

  // What a customer may set when opening a ticket and sees of its routing (the policy's customer_fields): the portal's form asks it.
  app.get(
    '/tickets/customer-fields',
    { config: { access: 'authenticated' }, schema: { tags: ['tickets'], response: { 200: customerFieldsOut } } },
    async () => {
      const def = await customerFieldsInForce(deps);
      return { settable: def.settable, priority_max: def.priorityMax, public: def.public };
    },
  );

  app.get('/tickets', { config: { access: 'authenticated' }, schema: { tags: ['tickets'], querystring: listTicketsQuery, response: { 200: listPage } } }, async (req) => {
    const q = req.query;
    const actor = actorOf(req);
    const view = await customerViewOf(deps, actor);
    // Filtering is a way of reading: a customer filters by team or assignee only where the policy shows them.
    if (view) {
      for (const [given, field, name] of [[q.team, 'team', 'team'], [q.assignee, 'assignee', 'assignee']] as const) {
        if (given !== undefined && !view.public.includes(field)) {
          throw new DomainError('CUSTOMER_FIELD_NOT_ALLOWED', `filtering by ${name} is for staff: the policy does not show customers a ticket's ${name}`, { field: name });
        }
      }
    }
    const assigneeId = q.assignee === undefined ? undefined : q.assignee === 'none' ? null : q.assignee === 'me' ? actor.userId : q.assignee;
    const page = await listTickets(
      deps,
      actor,
      {
        ...(q.status && { status: q.status }),
        ...(q.priority && { priority: q.priority }),
        ...(q.team !== undefined && { team: q.team }),
        ...(assigneeId !== undefined && { assigneeId }),
        ...(q.organization !== undefined && { organizationId: q.organization }),
        ...(q.q !== undefined && { q: q.q }),
      },
      { limit: q.limit, ...(q.cursor !== undefined && { cursor: q.cursor }) },
    );
    if (view) return { items: page.items.map((t) => presentTicket(t, view)), next_cursor: page.nextCursor };
    const risks = await risksOf(deps, page.items.map((t) => t.id));
    return {
      items: page.items.map((t) => ({ ...presentTicket(t), risk_score: risks.get(t.id)?.score ?? null, risk_band: risks.get(t.id)?.band ?? null })),
      next_cursor: page.nextCursor,
    };
  });

  // One ticket also says what its customer may expect (first reply, resolution) from its SLA clocks.
  app.get('/tickets/:ticketRef', { config: { access: 'authenticated' }, schema: { tags: ['tickets'], params: ticketRefParams, response: { 200: ticketWithExpectations } } }, async (req) => {
    const actor = actorOf(req);
    const ticket = await getTicket(deps, actor, req.params.ticketRef);
    const view = await customerViewOf(deps, actor);
    const expectations = deps.live ? await expectationsOf(deps.store.db, deps.live.registry, ticket.id) : NO_EXPECTATIONS;
    // Customers never see risk: the field is absent for them.
    if (view) return { ...presentTicket(ticket, view), expectations };
    return { ...presentTicket(ticket), expectations, risk: presentRisk(await ticketRisk(deps, ticket.id)) };
  });

  app.patch(
    '/tickets/:ticketRef',
    { config: { access: STAFF_ROLES }, schema: { tags: ['tickets'], params: ticketRefParams, body: patchTicketIn, response: { 200: ticketOut } } },
    async (req) => {
      const b = req.body;
      const { ticket } = await updateTicket(deps, actorOf(req), req.params.ticketRef, {
        ...(b.status !== undefined && { status: b.status }),
        ...(b.priority !== undefined && { priority: b.priority }),
        ...(b.impact !== undefined && { impact: b.impact }),
        ...(b.urgency !== undefined && { urgency: b.urgency }),
        ...(b.tags !== undefined && { tags: b.tags }),
        ...(b.assignee_id !== undefined && { assigneeId: b.assignee_id }),
        ...(b.version !== undefined && { version: b.version }),
      });
      return presentTicket(ticket);
    },
  );
};
