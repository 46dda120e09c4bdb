/** A ticket's customer CCs: staff list and replace them (they receive staff's public replies). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { readTicketCcs, setTicketCcs, MAX_CCS } from '../../app/set-ticket-ccs.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { ticketRefParams } from '../schemas.ts';

const ccsOut = z.object({ ticket: z.string(), ccs: z.array(z.string()) });
const ccsIn = z.strictObject({
  ccs: z
    .array(z.string().trim().email('must be an email address, e.g. pat@customer.example').max(254))
    .max(MAX_CCS, `at most ${MAX_CCS} addresses`)
    .describe('the complete list (replaces the current one); [] removes every CC'),
});

export const ccRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const tags = ['tickets'];
  app.get('/tickets/:ticketRef/ccs', { config: { access: STAFF_ROLES }, schema: { tags, params: ticketRefParams, response: { 200: ccsOut } } }, async (req) => {
    const r = await readTicketCcs(deps, actorOf(req), req.params.ticketRef);
    return { ticket: r.key, ccs: r.ccs };
  });
  app.put('/tickets/:ticketRef/ccs', { config: { access: STAFF_ROLES }, schema: { tags, params: ticketRefParams, body: ccsIn, response: { 200: ccsOut } } }, async (req) => {
    const r = await setTicketCcs(deps, actorOf(req), req.params.ticketRef, req.body.ccs);
    return { ticket: r.key, ccs: r.ccs };
  });
};
