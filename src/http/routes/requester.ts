/**
 * GET /tickets/:ref/requester (staff only): who asked — the person, their organization, their
 * other tickets — and the customer's cues (sentiment per message and its trend, each risk flag
 * with the words that set it). Customers never see their own cues.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readRequester } from '../../app/read-requester.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { ticketRefParams } from '../schemas.ts';

const requesterOut = z.object({
  requester: z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), role: z.string() }).nullable(),
  organization: z
    .object({ id: z.string(), name: z.string(), tier: z.string(), contract_value: z.number().nullable(), account_manager: z.string().nullable() })
    .nullable(),
  other_tickets: z.array(
    z.object({ key: z.string(), subject: z.string(), status: z.string(), priority: z.string(), level: z.string().nullable(), created_at: z.string() }),
  ),
  cues: z.object({
    sentiment: z.array(z.object({ at: z.string(), source: z.string(), value: z.number() })),
    trend: z
      .object({ direction: z.enum(['improving', 'worsening', 'steady']), first: z.number(), latest: z.number(), change: z.number() })
      .nullable(),
    flags: z.array(z.object({ flag: z.string(), words: z.array(z.string()), at: z.string(), source: z.string() })),
  }),
});

export const requesterRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.get(
    '/tickets/:ticketRef/requester',
    { config: { access: STAFF_ROLES }, schema: { tags: ['tickets'], params: ticketRefParams, response: { 200: requesterOut } } },
    async (req) => readRequester(deps, actorOf(req), req.params.ticketRef),
  );
};
