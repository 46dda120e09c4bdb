/**
 * Notification templates (admin): read the effective version (an override or the shipped
 * one), save an override (refused when it does not render against the sample context), or
 * drop the override. Also the webhook endpoints: list, and change (enable, allow private
 * addresses, rotate the signing secret).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { newWebhookSecret } from '../../notify/channels/webhook-signature.ts';
import { sampleContext } from '../../notify/templates/render-context.ts';
import { findTemplate, resetTemplate, saveTemplate, templateNames, type StoredTemplate } from '../../notify/templates/template-store.ts';
import { findEndpoint, listEndpoints, updateEndpoint, type WebhookEndpoint } from '../../notify/webhook-endpoints-repo.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';

const nameParams = z.strictObject({ name: z.string().min(1).max(64) });
const templateOut = z.object({
  name: z.string(),
  audience: z.enum(['internal', 'customer']),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  overridden: z.boolean(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});
const templateIn = z.strictObject({ subject: z.string().min(1).max(500), text: z.string().min(1).max(100_000), html: z.string().max(200_000).nullable().default(null) });
const endpointOut = z.object({
  id: z.string(),
  url: z.string(),
  kind: z.enum(['standard', 'slack']),
  secret: z
    .string()
    .nullable()
    .describe('the Standard Webhooks signing secret (whsec_…): only in the answer to the rotation that made it, null otherwise (it is shown once)'),
  secret_hint: z.string().describe('the last characters of the secret, to tell secrets apart without revealing them'),
  enabled: z.boolean(),
  allow_private: z.boolean(),
  consecutive_failures: z.number(),
  disabled_reason: z.string().nullable(),
});
const endpointPatch = z
  .strictObject({ enabled: z.boolean().optional(), allow_private: z.boolean().optional(), rotate_secret: z.literal(true).optional(), kind: z.enum(['standard', 'slack']).optional() })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const present = (t: StoredTemplate) => ({
  name: t.name,
  audience: t.audience,
  subject: t.subject,
  text: t.text,
  html: t.html ?? null,
  overridden: t.overridden,
  updated_at: iso(t.updatedAt),
  updated_by: t.updatedBy,
});
/** The secret itself only where it was just made (a rotation); otherwise a hint. */
const presentEndpoint = (e: WebhookEndpoint, reveal = false) => ({
  id: e.id,
  url: e.url,
  kind: e.kind,
  secret: reveal ? e.secret : null,
  secret_hint: `…${e.secret.slice(-4)}`,
  enabled: e.enabled,
  allow_private: e.allowPrivate,
  consecutive_failures: e.consecutiveFailures,
  disabled_reason: e.disabledReason,
});

export const templateRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const admin = { access: ['admin'] as const };
  const tags = ['notifications'];
  const db = deps.store.db;

  app.get('/templates', { config: admin, schema: { tags, response: { 200: z.object({ items: z.array(z.string()), sample_context: z.record(z.string(), z.unknown()) }) } } }, async () => ({
    items: await templateNames(db),
    sample_context: sampleContext() as unknown as Record<string, unknown>,
  }));

  app.get('/templates/:name', { config: admin, schema: { tags, params: nameParams, response: { 200: templateOut } } }, async (req) => {
    const t = await findTemplate(db, req.params.name);
    if (!t) throw new DomainError('TEMPLATE_NOT_FOUND', `no template '${req.params.name}'`, { name: req.params.name });
    return present(t);
  });

  app.put('/templates/:name', { config: admin, schema: { tags, params: nameParams, body: templateIn, response: { 200: templateOut } } }, async (req) => {
    const saved = await saveTemplate(db, { name: req.params.name, subject: req.body.subject, text: req.body.text, html: req.body.html, by: `user:${actorOf(req).userId}`, at: deps.clock.now() });
    return present(saved);
  });

  app.delete('/templates/:name', { config: admin, schema: { tags, params: nameParams, response: { 204: z.null() } } }, async (req, reply) => {
    if (!(await resetTemplate(db, req.params.name))) throw new DomainError('TEMPLATE_NOT_FOUND', `no override of template '${req.params.name}'`, { name: req.params.name });
    return reply.code(204).send(null);
  });

  app.get('/webhook-endpoints', { config: admin, schema: { tags, response: { 200: z.object({ items: z.array(endpointOut) }) } } }, async () => ({
    items: (await listEndpoints(db)).map((e) => presentEndpoint(e)),
  }));

  app.patch('/webhook-endpoints/:id', { config: admin, schema: { tags, params: z.strictObject({ id: z.string().min(1).max(64) }), body: endpointPatch, response: { 200: endpointOut } } }, async (req) => {
    const found = await findEndpoint(db, req.params.id);
    if (!found) throw new DomainError('WEBHOOK_ENDPOINT_NOT_FOUND', `no webhook endpoint '${req.params.id}'`, { id: req.params.id });
    const b = req.body;
    await updateEndpoint(
      db,
      found.id,
      {
        ...(b.enabled !== undefined && { enabled: b.enabled }),
        ...(b.allow_private !== undefined && { allowPrivate: b.allow_private }),
        ...(b.rotate_secret && { secret: newWebhookSecret() }),
        ...(b.kind !== undefined && { kind: b.kind }),
      },
      deps.clock.now(),
    );
    return presentEndpoint((await findEndpoint(db, found.id)) as WebhookEndpoint, b.rotate_secret === true);
  });
};
