/** A ticket's comments (list, add) and its event timeline. Customers never get internal ones. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addComment } from '../../app/add-comment.ts';
import { listAttachmentsOfTicket } from '../../app/attachments.ts';
import { customerViewOf } from '../../app/customer-fields.ts';
import { commentDelivery, listTicketComments, listTicketEvents } from '../../app/read-tickets.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentComment, presentEvent } from '../present.ts';
import { addCommentIn, commentOut, eventOut, followUpOut, ticketRefParams } from '../schemas.ts';

export const commentRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const all = { access: 'authenticated' as const };
  app.get('/tickets/:ticketRef/comments', { config: all, schema: { tags: ['comments'], params: ticketRefParams, response: { 200: z.object({ items: z.array(commentOut) }) } } }, async (req) => {
    const comments = await listTicketComments(deps, actorOf(req), req.params.ticketRef);
    const attachments = await listAttachmentsOfTicket(deps, actorOf(req), req.params.ticketRef);
    return { items: comments.map((c) => presentComment(c, attachments)) };
  });

  app.post(
    '/tickets/:ticketRef/comments',
    { config: all, schema: { tags: ['comments'], params: ticketRefParams, body: addCommentIn, response: { 201: z.union([commentOut, followUpOut]) } } },
    async (req, reply) => {
      const b = req.body;
      const r = await addComment(deps, actorOf(req), req.params.ticketRef, {
        body: b.body,
        public: b.public,
        ...(b.attachment_ids !== undefined && { attachmentIds: b.attachment_ids }),
      });
      if (r.followUp) return reply.code(201).send({ follow_up: { ticket: r.followUp.ticket.key, of: r.followUp.of } });
      return reply.code(201).send(presentComment({ ...r.comment, delivery: await commentDelivery(deps, actorOf(req), r.comment.id) }, r.attachments));
    },
  );

  app.get('/tickets/:ticketRef/events', { config: all, schema: { tags: ['events'], params: ticketRefParams, response: { 200: z.object({ items: z.array(eventOut) }) } } }, async (req) => {
    const actor = actorOf(req);
    const events = await listTicketEvents(deps, actor, req.params.ticketRef);
    // A customer's timeline: no triage, and routing only where the policy makes it public.
    const view = await customerViewOf(deps, actor);
    return { items: events.map((e) => presentEvent(e, view)) };
  });
};
