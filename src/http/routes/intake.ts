/**
 * Public intake: the portal's web form, inbound provider webhooks (SMS, chat, social) and the
 * satisfaction survey behind its signed link. Abuse limits on the web form: a per-address
 * rate limit, a per-sender hourly cap, a honeypot field and bounded sizes. Provider webhooks
 * authenticate with their source's token (header `x-escalon-intake-token`).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { pick, senderAddress, type IntakeSource } from '../../intake/intake-sources.ts';
import { receiveMessage } from '../../intake/receive-message.ts';
import { ticketRefParams } from '../schemas.ts';
import { actorOf } from '../access.ts';
import { rateTicket, readSurvey, recordCsat } from '../../intake/record-csat.ts';
import type { HttpDeps } from '../build-app.ts';

export interface IntakeHttpOptions {
  /** ESCALON_SECRET: checks survey links. */
  readonly secret?: string | undefined;
  readonly defaultOrganizationId?: string | undefined;
  readonly sources: Readonly<Record<string, IntakeSource>>;
  /** Web form: requests per minute per client address, tickets per hour per sender. */
  readonly webFormPerMinute: number;
  readonly webFormPerHourPerSender: number;
}

declare module '../build-app.ts' {
  interface HttpDeps {
    /** Intake settings (absent: no provider sources, unknown web-form senders refused, no valid survey links). */
    readonly intake?: IntakeHttpOptions;
  }
}

const webFormIn = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.string().trim().email().max(254),
  subject: z.string().trim().min(1).max(500),
  body: z.string().trim().min(1).max(20_000),
  /** Honeypot: hidden in the form; people leave it empty. */
  website: z.string().max(500).optional(),
});
const intakeOut = z.object({ status: z.enum(['created', 'commented', 'follow_up', 'duplicate', 'accepted']), ticket: z.string().nullable() });
const csatIn = z.strictObject({ rating: z.coerce.number().int().min(1).max(5), comment: z.string().trim().max(5000).optional() });
const tokenParams = z.strictObject({ token: z.string().min(1).max(200) });

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const intakeRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const tags = ['intake'];
  const intake = deps.intake;
  // Providers and the survey's plain HTML form post urlencoded bodies.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  const rateLimit = (max: number) => ({
    max,
    timeWindow: '1 minute',
    errorResponseBuilder: (_req: unknown, ctx: { ttl: number }) => new DomainError('RATE_LIMITED', `too many submissions; try again in ${Math.ceil(ctx.ttl / 1000)} s`, { retry_after_s: Math.ceil(ctx.ttl / 1000) }),
  });
  // Without settings: no provider sources, and only known senders may use the web form.
  const need = (): IntakeHttpOptions => intake ?? { sources: {}, webFormPerMinute: 5, webFormPerHourPerSender: 5 };

  app.post(
    '/intake/web',
    { config: { access: 'public', rateLimit: rateLimit(intake?.webFormPerMinute ?? 5) }, schema: { tags, body: webFormIn, response: { 202: intakeOut } } },
    async (req, reply) => {
      const o = need();
      const b = req.body;
      // A filled honeypot is a bot: answer as if accepted, store nothing.
      if (b.website) return reply.code(202).send({ status: 'accepted', ticket: null });
      const email = b.email.toLowerCase();
      const since = deps.clock.now() - 3_600_000;
      const recent = await deps.store.db
        .selectFrom('inbound_messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('channel', '=', 'web')
        .where('sender', '=', email)
        .where('received_at', '>', since)
        .executeTakeFirstOrThrow();
      if (Number(recent.n) >= o.webFormPerHourPerSender) {
        throw new DomainError('RATE_LIMITED', `at most ${o.webFormPerHourPerSender} requests an hour from one address; reply to the mail about your open request instead`, { email });
      }
      const r = await receiveMessage(
        deps,
        { channel: 'web', externalId: randomUUID(), senderEmail: email, senderName: b.name, subject: b.subject, body: b.body, raw: Buffer.from(JSON.stringify({ ...b, ip: req.ip })) },
        { defaultOrganizationId: o.defaultOrganizationId },
      );
      return reply.code(202).send({ status: r.kind, ticket: r.kind === 'duplicate' ? null : r.ticketKey });
    },
  );

  app.post(
    '/intake/hooks/:source',
    {
      config: { access: 'public', rateLimit: rateLimit(600) },
      schema: { tags, params: z.strictObject({ source: z.string().min(1).max(64) }), body: z.record(z.string(), z.unknown()), response: { 202: intakeOut } },
    },
    async (req, reply) => {
      const o = need();
      const source = Object.prototype.hasOwnProperty.call(o.sources, req.params.source) ? o.sources[req.params.source] : undefined;
      if (!source) throw new DomainError('INTAKE_SOURCE_NOT_FOUND', `no intake source '${req.params.source}' (configure it in ESCALON_INTAKE_SOURCES)`, { source: req.params.source });
      const token = req.headers['x-escalon-intake-token'];
      if (typeof token !== 'string' || !sameSecret(token, source.token)) {
        throw new DomainError('INTAKE_SIGNATURE_INVALID', 'missing or wrong x-escalon-intake-token for this source', { source: req.params.source });
      }
      const body = req.body;
      const from = pick(body, source.fields.from);
      const text = pick(body, source.fields.body);
      const externalId = pick(body, source.fields.external_id);
      const missing = [!from && `fields.from (${source.fields.from})`, !text && `fields.body (${source.fields.body})`, !externalId && `fields.external_id (${source.fields.external_id})`].filter(Boolean);
      if (missing.length > 0 || !from || !text || !externalId) {
        throw new DomainError('INTAKE_MAPPING_FAILED', `the payload has no value at ${missing.join(', ')}`, { source: req.params.source, missing });
      }
      const sender = senderAddress(from, source.channel);
      const claimed = pick(body, source.fields.ticket);
      // A conversation continues in the sender's latest ticket on this channel that is not
      // closed (a message to a solved one reopens it).
      const open = await deps.store.db
        .selectFrom('inbound_messages as m')
        .innerJoin('tickets as t', 't.id', 'm.ticket_id')
        .select('t.key')
        .where('m.channel', '=', source.channel)
        .where('m.sender', '=', sender)
        .where('t.status', '!=', 'closed')
        .orderBy('m.received_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const r = await receiveMessage(
        deps,
        {
          channel: source.channel,
          externalId: `${req.params.source}:${externalId}`,
          senderEmail: sender,
          senderName: pick(body, source.fields.name) ?? from,
          subject: pick(body, source.fields.subject) ?? `${source.channel} message from ${from}`.slice(0, 200),
          body: text,
          raw: Buffer.from(JSON.stringify(body)),
          claimedTicketKeys: [claimed?.toUpperCase(), open?.key].filter((k): k is string => typeof k === 'string'),
          source: { name: req.params.source, replyTo: from },
        },
        { defaultOrganizationId: o.defaultOrganizationId },
      );
      return reply.code(202).send({ status: r.kind, ticket: r.kind === 'duplicate' ? null : r.ticketKey });
    },
  );

  const surveySecret = () => {
    const s = intake?.secret;
    // Without ESCALON_SECRET no survey link was ever issued, so none can be valid.
    if (!s) throw new DomainError('SURVEY_LINK_INVALID', 'this survey link is not valid (surveys need ESCALON_SECRET on this server)', {});
    return s;
  };

  app.get('/csat/:token', { config: { access: 'public' }, schema: { tags, params: tokenParams } }, async (req, reply) => {
    const s = await readSurvey(deps, surveySecret(), req.params.token);
    const buttons = [1, 2, 3, 4, 5].map((n) => `<label><input type="radio" name="rating" value="${n}" required> ${n}</label>`).join(' ');
    const page = s.answered
      ? `<p>Thank you: your rating of ${escape(s.ticketKey)} is recorded.</p>`
      : `<form method="post"><p>How satisfied are you with how we handled <strong>${escape(s.ticketKey)}</strong> — “${escape(s.subject)}”? (1 = not at all, 5 = very)</p><p>${buttons}</p><p><textarea name="comment" rows="4" cols="60" maxlength="5000" placeholder="Anything you want to tell us (optional)"></textarea></p><p><button type="submit">Send</button></p></form>`;
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html><head><meta charset="utf-8"><title>How did we do?</title></head><body style="font-family:sans-serif">${page}</body></html>`);
  });

  app.post(
    '/csat/:token',
    { config: { access: 'public', rateLimit: rateLimit(30) }, schema: { tags, params: tokenParams, body: csatIn } },
    async (req, reply) => {
      const s = await recordCsat(deps, surveySecret(), req.params.token, { rating: req.body.rating, comment: req.body.comment || null });
      if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
        return reply.code(201).type('text/html; charset=utf-8').send(`<!doctype html><html><body style="font-family:sans-serif"><p>Thank you for rating ${escape(s.ticketKey)}.</p></body></html>`);
      }
      return reply.code(201).send({ ticket: s.ticketKey, recorded: true });
    },
  );

  app.post(
    '/tickets/:ticketRef/csat',
    { config: { access: ['customer'] }, schema: { tags, params: ticketRefParams, body: csatIn } },
    async (req, reply) => {
      const s = await rateTicket(deps, actorOf(req), req.params.ticketRef, { rating: req.body.rating, comment: req.body.comment || null });
      return reply.code(201).send({ ticket: s.ticketKey, recorded: true });
    },
  );
};
