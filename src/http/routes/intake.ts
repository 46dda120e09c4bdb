/**
 * Public intake: the portal's web form, inbound provider webhooks (SMS, chat, social) and the
 * satisfaction survey behind its signed link. Provider webhooks are verified by their source's
 * `signing` scheme over the raw body before anything in them is read: Standard Webhooks, Twilio's
 * request signature, or the legacy shared token (intake/intake-signature.ts).
 *
 * The web form trusts no address: a new address becomes a new requester in the intake
 * organization; an address that belongs to an account is held until the emailed link is
 * followed (intake/hold-web-message.ts). Abuse limits: per client address, `webFormPerMinute`
 * in this node's memory (@fastify/rate-limit; behind a proxy set trustProxy so req.ip is the
 * client's); per sender address, `webFormPerHourPerSender` counted in the store, so it holds
 * across nodes; a honeypot field answered like a success, counted and logged; bounded sizes.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { confirmHeldMessage, holdWebMessage, readHold } from '../../intake/hold-web-message.ts';
import { expireHolds, webSubmissionsSince } from '../../intake/intake-holds-repo.ts';
import { honeypotHits } from '../../intake/intake-metrics.ts';
import { pick, senderAddress, type IntakeSource } from '../../intake/intake-sources.ts';
import { verifyIntakeRequest } from '../../intake/intake-signature.ts';
import { receiveMessage } from '../../intake/receive-message.ts';
import { findUserByEmail } from '../../store/users-repo.ts';
import { ticketRefParams } from '../schemas.ts';
import { actorOf } from '../access.ts';
import { rateTicket, readSurvey, recordCsat } from '../../intake/record-csat.ts';
import type { HttpDeps } from '../build-app.ts';
import { HTTP_STATUS } from '../errors.ts';

export interface IntakeHttpOptions {
  /** ESCALON_SECRET: checks survey links. */
  readonly secret?: string | undefined;
  readonly defaultOrganizationId?: string | undefined;
  readonly sources: Readonly<Record<string, IntakeSource>>;
  /** Web form: requests per minute per client address, tickets per hour per sender. */
  readonly webFormPerMinute: number;
  readonly webFormPerHourPerSender: number;
  /** ESCALON_PUBLIC_URL: where the confirmation links of held web-form messages point. */
  readonly publicUrl?: string | undefined;
  /** The SMTP listener's settings, for the admin's intake page (GET /api/v1/intake/settings). */
  readonly mail?: { readonly domain: string; readonly smtpPort: number; readonly maxBytes: number } | undefined;
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
const intakeOut = z.object({ status: z.enum(['created', 'commented', 'follow_up', 'duplicate', 'accepted', 'held']), ticket: z.string().nullable() });
const webFormOut = intakeOut.extend({ message: z.string() });
const csatIn = z.strictObject({ rating: z.coerce.number().int().min(1).max(5), comment: z.string().trim().max(5000).optional() });
const tokenParams = z.strictObject({ token: z.string().min(1).max(200) });

/** A provider webhook's body as received (the signature covers these bytes, not the parsed object). */
const rawBodies = new WeakMap<object, Buffer>();
const HOOK_BODY_LIMIT = 256 * 1024;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const htmlPage = (title: string, inner: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto;line-height:1.5">${inner}</body></html>`;

/** People open confirmation links in a browser: a refused link is a page there, with the same status and code. */
async function orHoldErrorPage<T>(html: boolean, reply: FastifyReply, run: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (err) {
    if (!html || !(err instanceof DomainError) || !err.code.startsWith('INTAKE_')) throw err;
    return reply
      .code(HTTP_STATUS[err.code])
      .type('text/html; charset=utf-8')
      .send(htmlPage('Confirm your request', `<p>${escape(err.message)}</p><p style="color:#666">(${err.code})</p>`));
  }
}

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
    { config: { access: 'public', rateLimit: rateLimit(intake?.webFormPerMinute ?? 5) }, schema: { tags, body: webFormIn, response: { 202: webFormOut } } },
    async (req, reply) => {
      const o = need();
      const b = req.body;
      // A filled honeypot is a bot: answer as if accepted, store nothing, count it.
      if (b.website) {
        honeypotHits.inc();
        req.log.warn({ ip: req.ip, email: b.email }, 'web form: honeypot field filled; nothing stored');
        return reply.code(202).send({ status: 'accepted', ticket: null, message: 'Thank you: your message was received.' });
      }
      const email = b.email.toLowerCase();
      const now = deps.clock.now();
      await expireHolds(deps.store.db, now);
      const recent = await webSubmissionsSince(deps.store.db, email, now - 3_600_000);
      if (recent.count >= o.webFormPerHourPerSender) {
        const retry = Math.max(1, Math.ceil(((recent.oldest ?? now) + 3_600_000 - now) / 1000));
        reply.header('retry-after', String(retry));
        throw new DomainError('RATE_LIMITED', `at most ${o.webFormPerHourPerSender} requests an hour from one address; try again in ${Math.ceil(retry / 60)} min, or reply to the mail about your open request`, {
          email,
          retry_after_s: retry,
        });
      }
      const message = { email, name: b.name, subject: b.subject, body: b.body };
      if (await findUserByEmail(deps.store.db, email)) {
        // The address belongs to an account: only its owner may speak for it.
        await holdWebMessage(deps, { ...message, clientIp: req.ip }, o.publicUrl ?? 'http://localhost:8080');
        return reply.code(202).send({ status: 'held', ticket: null, message: `We sent a confirmation link to ${email}. Your request is opened as soon as you follow it (within 24 hours).` });
      }
      const r = await receiveMessage(
        deps,
        { channel: 'web', externalId: randomUUID(), senderEmail: email, senderName: b.name, subject: b.subject, body: b.body, raw: Buffer.from(JSON.stringify({ ...b, ip: req.ip })) },
        { defaultOrganizationId: o.defaultOrganizationId },
      );
      const ticket = r.kind === 'duplicate' ? null : r.ticketKey;
      return reply.code(202).send({ status: r.kind, ticket, message: ticket ? `Thank you: your request is ${ticket}. We answer by email.` : 'Thank you: your message was received.' });
    },
  );

  app.get('/intake/confirm/:token', { config: { access: 'public', rateLimit: rateLimit(30) }, schema: { tags, params: tokenParams } }, async (req, reply) =>
    orHoldErrorPage(true, reply, async () => {
      const h = await readHold(deps, req.params.token);
      const page =
        h.state === 'confirmed'
          ? `<p>This request is confirmed already${h.ticketKey ? `: it is <strong>${escape(h.ticketKey)}</strong>` : ''}.</p>`
          : `<form method="post"><p>Confirm that you sent the request “${escape(h.subject)}” through our web form. It is opened in your name once you confirm.</p><p><button type="submit">Yes, I sent it: open my request</button></p><p style="color:#666">If you did not send it, close this page: nothing will be opened, and the message is discarded at ${escape(new Date(h.expiresAt).toISOString())}.</p></form>`;
      return reply.type('text/html; charset=utf-8').send(htmlPage('Confirm your request', page));
    }),
  );

  // Confirming is a POST (the page's button): mail scanners that open links must not confirm.
  app.post('/intake/confirm/:token', { config: { access: 'public', rateLimit: rateLimit(30) }, schema: { tags, params: tokenParams } }, async (req, reply) => {
    const html = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true;
    return orHoldErrorPage(html, reply, async () => {
      const r = await confirmHeldMessage(deps, req.params.token, { defaultOrganizationId: need().defaultOrganizationId });
      if (html) return reply.type('text/html; charset=utf-8').send(htmlPage('Request confirmed', `<p>Thank you: your request is <strong>${escape(r.ticketKey)}</strong>. We answer by email: reply to our messages to add information.</p>`));
      // JSON callers: { status: 'confirmed' | 'already_confirmed', ticket }.
      return reply.send({ status: r.alreadyConfirmed ? 'already_confirmed' : 'confirmed', ticket: r.ticketKey });
    });
  });

  const sourceNamed = (name: string): IntakeSource => {
    const sources = need().sources;
    const source = Object.prototype.hasOwnProperty.call(sources, name) ? sources[name] : undefined;
    if (!source) throw new DomainError('INTAKE_SOURCE_NOT_FOUND', `no intake source '${name}' (configure it in ESCALON_INTAKE_SOURCES)`, { source: name });
    return source;
  };

  app.post(
    '/intake/hooks/:source',
    {
      config: { access: 'public', rateLimit: rateLimit(600) },
      schema: { tags, params: z.strictObject({ source: z.string().min(1).max(64) }), body: z.record(z.string(), z.unknown()), response: { 202: intakeOut } },
      // The signature is checked before the body is validated or read (the request is refused as a whole).
      preValidation: async (req) => {
        const name = (req.params as { source: string }).source;
        const source = sourceNamed(name);
        const base = (need().publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
        await verifyIntakeRequest(deps.store.db, source, {
          source: name,
          raw: rawBodies.get(req) ?? Buffer.alloc(0),
          headers: req.headers,
          contentType: String(req.headers['content-type'] ?? ''),
          url: `${base}${req.url}`,
        });
      },
      // Keep the bytes as received for the signature; the body is parsed as usual afterwards.
      preParsing: async (req, _reply, payload) => {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of payload) {
          const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
          size += b.length;
          if (size > HOOK_BODY_LIMIT) throw new DomainError('PAYLOAD_TOO_LARGE', `a provider webhook body is at most ${HOOK_BODY_LIMIT} bytes`, { limit: HOOK_BODY_LIMIT });
          chunks.push(b);
        }
        const raw = Buffer.concat(chunks);
        rawBodies.set(req, raw);
        const again = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
        again.receivedEncodedLength = raw.length;
        return again;
      },
    },
    async (req, reply) => {
      const o = need();
      const source = sourceNamed(req.params.source);
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
