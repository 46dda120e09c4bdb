/** A ticket's outgoing messages, one entry per message with its delivery state (staff only). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listTicketNotifications } from '../../app/read-notifications.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { ticketRefParams } from '../schemas.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const notificationOut = z.object({
  id: z.string(),
  template: z.string(),
  channel: z.string(),
  recipient: z.string(),
  state: z.enum(['queued', 'held', 'waiting', 'sending', 'sent', 'merged', 'failed', 'cancelled']),
  attempts: z.number().int(),
  reason: z.string().nullable(),
  queued_at: z.string(),
  sent_at: z.string().nullable(),
  merged_into: z.string().nullable(),
  rule: z.string().nullable(),
});

export const notificationRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.get(
    '/tickets/:ticketRef/notifications',
    { config: { access: STAFF_ROLES }, schema: { tags: ['events'], params: ticketRefParams, response: { 200: z.object({ items: z.array(notificationOut) }) } } },
    async (req) => ({
      items: (await listTicketNotifications(deps, actorOf(req), req.params.ticketRef)).map((n) => ({
        id: n.id,
        template: n.template,
        channel: n.channel,
        recipient: n.recipient,
        state: n.state,
        attempts: n.attempts,
        reason: n.reason,
        queued_at: iso(n.queuedAt) ?? '',
        sent_at: iso(n.sentAt),
        merged_into: n.mergedInto,
        rule: n.rule,
      })),
    }),
  );
};
