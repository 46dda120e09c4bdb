/**
 * Attachments over HTTP. Upload is `multipart/form-data` (one or more `file` parts), streamed
 * part by part into the byte store; each file becomes a pending attachment of the uploader,
 * attached by naming its id in `attachment_ids` when opening a ticket or adding a comment.
 * Download streams the bytes back as a download, never rendered by the browser.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAttachmentsOfTicket, MAX_ATTACHMENTS_PER_MESSAGE, openAttachment, uploadAttachment } from '../../app/attachments.ts';
import { DomainError } from '../../domain/errors.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentAttachment } from '../present.ts';
import { attachmentOut, attachmentParams, ticketRefParams } from '../schemas.ts';

/** RFC 6266 / 5987: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const attachmentRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const all = { access: 'authenticated' as const };

  app.post(
    '/attachments',
    {
      config: all,
      schema: {
        tags: ['attachments'],
        description: `multipart/form-data with up to ${MAX_ATTACHMENTS_PER_MESSAGE} \`file\` parts, each at most ESCALON_ATTACHMENT_LIMIT bytes. Returns pending attachments: name their ids in \`attachment_ids\` of POST /tickets or POST /tickets/{ref}/comments.`,
        response: { 201: z.object({ items: z.array(attachmentOut) }) },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart()) {
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send the files as multipart/form-data, one `file` part per file', { content_type: req.headers['content-type'] ?? null });
      }
      const actor = actorOf(req);
      const items = [];
      for await (const part of req.files()) {
        items.push(await uploadAttachment(deps, actor, { filename: part.filename, content: part.file }));
      }
      if (items.length === 0) throw new DomainError('VALIDATION_FAILED', 'no file in the request: add at least one `file` part', { path: 'body.file' });
      return reply.code(201).send({ items: items.map(presentAttachment) });
    },
  );

  app.get(
    '/attachments/:attachmentId',
    { config: all, schema: { tags: ['attachments'], params: attachmentParams, description: 'The bytes, as a download, with the sniffed content type.' } },
    async (req, reply) => {
      const { attachment, content } = await openAttachment(deps, actorOf(req), req.params.attachmentId);
      return reply
        .type(attachment.contentType)
        .header('content-length', String(attachment.size))
        .header('content-disposition', contentDisposition(attachment.filename))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(content);
    },
  );

  app.get(
    '/tickets/:ticketRef/attachments',
    { config: all, schema: { tags: ['attachments'], params: ticketRefParams, response: { 200: z.object({ items: z.array(attachmentOut) }) } } },
    async (req) => ({ items: (await listAttachmentsOfTicket(deps, actorOf(req), req.params.ticketRef)).map(presentAttachment) }),
  );
};
