/**
 * Administration routes of the console (issue 13) that are not a resource of their own:
 * webhook endpoints by URL (create, delivery log, test send), a template preview against a
 * real ticket, and the intake settings as configured (read-only: they come from the
 * environment, see docs/ARCHITECTURE.md "Administration").
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { previewTemplate } from '../../app/preview-template.ts';
import { createWebhookEndpoint, queueWebhookPing, webhookDeliveryLog } from '../../app/webhook-admin.ts';
import { signingOf } from '../../intake/intake-sources.ts';
import { findOrganization } from '../../store/organizations-repo.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { publicUrlOf } from '../public-url.ts';

const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const createdEndpointOut = z.object({
  id: z.string(),
  url: z.string(),
  kind: z.enum(['standard', 'slack']),
  secret: z.string().describe('the Standard Webhooks signing secret (whsec_…)'),
  enabled: z.boolean(),
  allow_private: z.boolean(),
});
const deliveryOut = z.object({
  id: z.string(),
  created_at: z.string(),
  event: z.string(),
  ticket: z.string().nullable(),
  status: z.string().describe('pending | held | waiting | sending | sent | merged | failed | cancelled'),
  attempts: z.number(),
  last_status_code: z.number().nullable(),
  last_error: z.string().nullable(),
  sent_at: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
});
const previewIn = z.strictObject({
  ticket: z.string().min(1).max(64).describe('ticket key (ESC-12) or id'),
  subject: z.string().min(1).max(500).optional(),
  text: z.string().min(1).max(100_000).optional(),
  html: z.string().max(200_000).nullable().optional(),
});
const previewOut = z.object({
  ok: z.boolean(),
  ticket: z.string(),
  audience: z.enum(['internal', 'customer']),
  subject: z.string().optional(),
  text: z.string().optional(),
  html: z.string().optional(),
  problems: z.array(z.object({ part: z.enum(['subject', 'text', 'html']).nullable(), line: z.number().nullable(), message: z.string() })).optional(),
});
const intakeSettingsOut = z.object({
  mail: z.object({ domain: z.string(), smtp_port: z.number(), max_bytes: z.number(), reply_addresses: z.string() }).nullable(),
  web_form: z.object({ per_minute_per_client: z.number(), per_hour_per_sender: z.number(), default_organization: z.string().nullable() }).nullable(),
  sources: z.array(z.object({ name: z.string(), channel: z.string(), signing: z.string(), hook_url: z.string(), replies: z.boolean() })),
  where_to_change: z.string(),
});

export const adminRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const admin = { access: ['admin'] as const };

  app.post(
    '/webhook-endpoints',
    {
      config: admin,
      schema: {
        tags: ['notifications'],
        body: z.strictObject({ url: z.string().min(1).max(2000), kind: z.enum(['standard', 'slack']).optional(), allow_private: z.boolean().optional() }),
        response: { 201: createdEndpointOut },
      },
    },
    async (req, reply) => {
      const e = await createWebhookEndpoint(deps, { url: req.body.url, ...(req.body.kind && { kind: req.body.kind }), ...(req.body.allow_private !== undefined && { allowPrivate: req.body.allow_private }) });
      return reply.code(201).send({ id: e.id, url: e.url, kind: e.kind, secret: e.secret, enabled: e.enabled, allow_private: e.allowPrivate });
    },
  );

  app.get(
    '/webhook-endpoints/:id/deliveries',
    { config: admin, schema: { tags: ['notifications'], params: idParams, response: { 200: z.object({ endpoint: z.string(), items: z.array(deliveryOut) }) } } },
    async (req) => {
      const log = await webhookDeliveryLog(deps, req.params.id);
      return {
        endpoint: log.endpoint.id,
        items: log.items.map((d) => ({
          id: d.id,
          created_at: new Date(d.createdAt).toISOString(),
          event: d.event,
          ticket: d.ticketKey,
          status: d.status,
          attempts: d.attempts,
          last_status_code: d.lastStatusCode,
          last_error: d.lastError,
          sent_at: iso(d.sentAt),
          next_attempt_at: iso(d.nextAttemptAt),
        })),
      };
    },
  );

  app.post(
    '/webhook-endpoints/:id/test',
    { config: admin, schema: { tags: ['notifications'], params: idParams, response: { 202: z.object({ outbox_id: z.string(), status: z.literal('queued') }) } } },
    async (req, reply) => {
      const { outboxId } = await queueWebhookPing(deps, req.params.id, actorOf(req).userId);
      return reply.code(202).send({ outbox_id: outboxId, status: 'queued' as const });
    },
  );

  app.post(
    '/templates/:name/preview',
    { config: admin, schema: { tags: ['notifications'], params: z.strictObject({ name: z.string().min(1).max(64) }), body: previewIn, response: { 200: previewOut } } },
    async (req) => {
      const b = req.body;
      const draft = b.subject !== undefined || b.text !== undefined ? { subject: b.subject ?? '', text: b.text ?? '', html: b.html ?? null } : undefined;
      const p = await previewTemplate(deps, actorOf(req), { name: req.params.name, ticketRef: b.ticket, ...(draft && { draft }), publicUrl: publicUrlOf(deps, req) });
      return p.ok ? { ok: true, ticket: p.ticketKey, audience: p.audience, ...p.rendered } : { ok: false, ticket: p.ticketKey, audience: p.audience, problems: p.problems };
    },
  );

  app.get('/intake/settings', { config: admin, schema: { tags: ['intake'], response: { 200: intakeSettingsOut } } }, async (req) => {
    const i = deps.intake;
    const base = publicUrlOf(deps, req).replace(/\/+$/, '');
    const org = i?.defaultOrganizationId ? await findOrganization(deps.store.db, i.defaultOrganizationId) : undefined;
    return {
      mail: i?.mail ? { domain: i.mail.domain, smtp_port: i.mail.smtpPort, max_bytes: i.mail.maxBytes, reply_addresses: `reply+<key>.<signature>@${i.mail.domain}` } : null,
      web_form: i ? { per_minute_per_client: i.webFormPerMinute, per_hour_per_sender: i.webFormPerHourPerSender, default_organization: org?.name ?? null } : null,
      sources: Object.entries(i?.sources ?? {}).map(([name, s]) => ({
        name,
        channel: s.channel,
        signing: signingOf(s).scheme,
        hook_url: `${base}/api/v1/intake/hooks/${name}`,
        replies: s.reply !== undefined,
      })),
      where_to_change:
        'These come from the environment of `escalon serve`: ESCALON_INTAKE_DOMAIN, ESCALON_INTAKE_SMTP_PORT, ESCALON_INTAKE_MAX_BYTES (mail), ESCALON_INTAKE_DEFAULT_ORG (new senders), ESCALON_INTAKE_SOURCES (provider webhooks, JSON); restart the intake service after a change.',
    };
  });
};
