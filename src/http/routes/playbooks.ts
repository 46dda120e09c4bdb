/**
 * Playbooks (issue 13), staff only: a ticket's checklists and ticking their items; the policy's
 * macros and a macro rendered against a ticket (the console applies it: docs/policy.md, "Playbooks").
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readTicketChecklists, setChecklistItem } from '../../app/checklists.ts';
import { listMacros, previewMacro } from '../../app/macros.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { MACRO_VISIBILITIES, PRIORITIES, STATUSES } from '../../domain/policy/types.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { ticketRefParams } from '../schemas.ts';

const checklistOut = z.object({
  checklist: z.string().describe('the reason category the checklist belongs to'),
  title: z.string(),
  attached_at: z.string(),
  policy_version: z.number().int().nullable(),
  escalation_id: z.string().nullable(),
  items: z.array(
    z.object({
      id: z.string(),
      text: z.string(),
      required: z.boolean(),
      done: z.boolean(),
      done_at: z.string().nullable(),
      done_by: z.object({ id: z.string(), name: z.string() }).nullable(),
    }),
  ),
  open_required: z.number().int(),
});
const checklistsOut = z.object({ ticket: z.string(), checklists: z.array(checklistOut) });

const word = z.string().min(1).max(64);
const itemParams = z.strictObject({ ticketRef: ticketRefParams.shape.ticketRef, checklist: word.describe('reason category, e.g. legal_compliance'), item: word.describe('item id') });
const itemIn = z.strictObject({ done: z.boolean().describe('true ticks the item, false unticks it') });

const setOut = z.object({ status: z.enum(STATUSES).optional(), priority: z.enum(PRIORITIES).optional(), tags: z.array(z.string()).optional() });
const macroOut = z.object({ id: z.string(), name: z.string(), visibility: z.enum(MACRO_VISIBILITIES), body: z.string().describe('the Liquid source'), set: setOut });
const previewParams = z.strictObject({ ticketRef: ticketRefParams.shape.ticketRef, macroId: word });
const previewOut = z.object({ macro: z.string(), name: z.string(), visibility: z.enum(MACRO_VISIBILITIES), body: z.string().describe('rendered for this ticket'), set: setOut });

export const playbookRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const tags = ['playbooks'];
  app.get('/tickets/:ticketRef/checklists', { config: { access: STAFF_ROLES }, schema: { tags, params: ticketRefParams, response: { 200: checklistsOut } } }, async (req) =>
    readTicketChecklists(deps, actorOf(req), req.params.ticketRef),
  );
  app.put(
    '/tickets/:ticketRef/checklists/:checklist/items/:item',
    { config: { access: STAFF_ROLES }, schema: { tags, params: itemParams, body: itemIn, response: { 200: checklistsOut } } },
    async (req) => setChecklistItem(deps, actorOf(req), req.params.ticketRef, { checklist: req.params.checklist, item: req.params.item, done: req.body.done }),
  );
  app.get('/macros', { config: { access: STAFF_ROLES }, schema: { tags, response: { 200: z.object({ items: z.array(macroOut) }) } } }, async () => ({
    items: await listMacros(deps),
  }));
  app.post(
    '/tickets/:ticketRef/macros/:macroId/preview',
    { config: { access: STAFF_ROLES }, schema: { tags, params: previewParams, response: { 200: previewOut } } },
    async (req) => previewMacro(deps, actorOf(req), req.params.ticketRef, req.params.macroId),
  );
};
