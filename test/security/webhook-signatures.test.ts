/**
 * Issue 12, webhook signing: outbound webhooks and provider replies are signed so that the
 * `standardwebhooks` package of the spec's authors verifies them; inbound provider webhooks are
 * verified by their source's scheme — Standard Webhooks (signature, 5-minute timestamp
 * tolerance, each webhook-id once) or Twilio's X-Twilio-Signature — before anything in them is
 * read, and refused with INTAKE_SIGNATURE_INVALID / INTAKE_SIGNATURE_EXPIRED / INTAKE_REPLAYED.
 * On both databases.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.ts';
import { twilioSignature } from '../../src/intake/intake-signature.ts';
import { parseIntakeSources } from '../../src/intake/intake-sources.ts';
import { createProviderReplyChannel } from '../../src/notify/channels/provider-reply.ts';
import { createWebhookChannel } from '../../src/notify/channels/webhook.ts';
import { newWebhookSecret } from '../../src/notify/channels/webhook-signature.ts';
import { ensureEndpoint } from '../../src/notify/webhook-endpoints-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast } from '../helpers/fixtures.ts';

const GW_SECRET = `whsec_${Buffer.from('gateway-secret-0123456789abcdef').toString('base64')}`;
const TWILIO_TOKEN = 'twilio-auth-token-0123456789abcdef';
const TWILIO_URL = 'https://escalon.example.com/api/v1/intake/hooks/twilio';
const LEGACY_TOKEN = 'legacy-shared-token-0123456789';

interface Captured {
  headers: IncomingHttpHeaders;
  body: string;
}

async function capture(): Promise<{ url: string; got: Captured[]; close: () => Promise<void> }> {
  const got: Captured[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) };
}

const message = (to: string, id: string) => ({ messageId: id, to, subject: 'S', text: 'T', html: '<p>T</p>', data: { ticket: 'ESC-1' }, ticketKey: 'ESC-1' });

describe("Twilio's signature", () => {
  it("matches Twilio's published example", () => {
    const params: Array<[string, string]> = [
      ['CallSid', 'CA1234567890ABCDE'],
      ['Caller', '+14158675309'],
      ['Digits', '1234'],
      ['From', '+14158675309'],
      ['To', '+18005551212'],
    ];
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', [...params].reverse())).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('sources are configured with one scheme; the legacy token still parses', () => {
    const fields = { from: 'From', body: 'Body', external_id: 'MessageSid' };
    expect(() => parseIntakeSources(JSON.stringify({ a: { channel: 'sms', fields } }))).toThrow(/exactly one of "signing"/);
    expect(() => parseIntakeSources(JSON.stringify({ a: { channel: 'sms', fields, token: LEGACY_TOKEN, signing: { scheme: 'twilio', auth_token: TWILIO_TOKEN } } }))).toThrow(/exactly one/);
    expect(() => parseIntakeSources(JSON.stringify({ a: { channel: 'sms', fields, signing: { scheme: 'standard-webhooks', secret: 'not-a-secret' } } }))).toThrow(/whsec_/);
    expect(Object.keys(parseIntakeSources(JSON.stringify({ a: { channel: 'sms', fields, token: LEGACY_TOKEN }, b: { channel: 'chat', fields, signing: { scheme: 'standard-webhooks', secret: GW_SECRET } } })))).toEqual(['a', 'b']);
  });
});

describeStores('webhook signatures (issue 12)', (s) => {
  let app: FastifyInstance;
  let deps: ReturnType<typeof depsFor>;

  beforeAll(async () => {
    deps = depsFor(s.store);
    const cast = await makeCast(deps);
    app = await buildApp({
      ...deps,
      http: { bodyLimit: 256 * 1024, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false },
      intake: {
        defaultOrganizationId: cast.orgB,
        publicUrl: 'https://escalon.example.com',
        webFormPerMinute: 1000,
        webFormPerHourPerSender: 100,
        sources: {
          gateway: { signing: { scheme: 'standard-webhooks', secret: GW_SECRET }, channel: 'chat', fields: { from: 'data.from', body: 'data.text', external_id: 'data.id' } },
          twilio: { signing: { scheme: 'twilio', auth_token: TWILIO_TOKEN, url: TWILIO_URL }, channel: 'sms', fields: { from: 'From', body: 'Body', external_id: 'MessageSid' } },
          legacy: { token: LEGACY_TOKEN, channel: 'social', fields: { from: 'from', body: 'text', external_id: 'id' } },
        },
      },
    });
  });
  afterAll(() => app.close());

  it('outbound webhooks and provider replies verify with the standardwebhooks package', async () => {
    const rx = await capture();
    try {
      const secret = newWebhookSecret();
      await ensureEndpoint(s.store.db, rx.url, Date.now(), { allowPrivate: true, secret });
      const channel = createWebhookChannel(s.store.db, { timeoutMs: 3000, allowPrivate: false, disableAfter: 100 });
      expect((await channel.deliver(message(rx.url, 'msg_out_1'), Date.now())).kind).toBe('sent');
      const reply = createProviderReplyChannel({ source: 'gateway', url: rx.url, secret: GW_SECRET, timeoutMs: 3000 });
      expect((await reply.deliver(message('+15550100', 'msg_out_2'), Date.now())).kind).toBe('sent');
      expect(rx.got).toHaveLength(2);
      const [hook, replied] = rx.got as [Captured, Captured];
      const headersOf = (c: Captured) => ({ 'webhook-id': String(c.headers['webhook-id']), 'webhook-timestamp': String(c.headers['webhook-timestamp']), 'webhook-signature': String(c.headers['webhook-signature']) });
      expect(new Webhook(secret).verify(hook.body, headersOf(hook))).toMatchObject({ type: 'escalon.notification' });
      expect(headersOf(hook)['webhook-id']).toBe('msg_out_1');
      expect(new Webhook(GW_SECRET).verify(replied.body, headersOf(replied))).toMatchObject({ type: 'escalon.reply', data: { to: '+15550100' } });
      // A different secret or a changed body does not verify.
      expect(() => new Webhook(newWebhookSecret()).verify(hook.body, headersOf(hook))).toThrow();
      expect(() => new Webhook(secret).verify(hook.body.replace('escalon', 'evil'), headersOf(hook))).toThrow();
    } finally {
      await rx.close();
    }
  });

  describe('inbound Standard Webhooks', () => {
    let n = 0;
    const payload = (text: string) => JSON.stringify({ type: 'message', data: { from: '+15550199', text, id: `gw-${++n}` } });
    const signed = (body: string, o: { id?: string; at?: Date; secret?: string } = {}) => {
      const id = o.id ?? `wh_${n}_${Math.random().toString(36).slice(2)}`;
      const at = o.at ?? new Date();
      return {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(o.secret ?? GW_SECRET).sign(id, at, body),
      };
    };
    const post = (headers: Record<string, string>, body: string) => app.inject({ method: 'POST', url: '/api/v1/intake/hooks/gateway', headers, payload: body });

    it('a valid request is accepted and opens a ticket on the source channel', async () => {
      const body = payload('My router is down');
      const r = await post(signed(body), body);
      expect(r.statusCode, r.body).toBe(202);
      expect(r.json()).toMatchObject({ status: 'created' });
      const t = await s.store.db.selectFrom('tickets').select(['channel']).where('key', '=', r.json<{ ticket: string }>().ticket).executeTakeFirstOrThrow();
      expect(t.channel).toBe('chat');
    });

    it('wrong secret, tampered body, stale or future timestamp, replay and missing headers are refused', async () => {
      // Every accepted message is one inbound_messages row (a new ticket or a comment on the sender's open one).
      const received = async () => Number((await s.store.db.selectFrom('inbound_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await received();
      const code = (r: Awaited<ReturnType<typeof post>>) => [r.statusCode, r.json<{ error: { code: string } }>().error.code];

      const body = payload('forged');
      expect(code(await post(signed(body, { secret: `whsec_${Buffer.from('another-secret-0123456789abc').toString('base64')}` }), body))).toEqual([401, 'INTAKE_SIGNATURE_INVALID']);
      expect(code(await post(signed(body), payload('tampered after signing')))).toEqual([401, 'INTAKE_SIGNATURE_INVALID']);
      const stale = await post(signed(body, { at: new Date(Date.now() - 10 * 60_000) }), body);
      expect(code(stale)).toEqual([401, 'INTAKE_SIGNATURE_EXPIRED']);
      expect(stale.json().error.details).toMatchObject({ source: 'gateway', tolerance_s: 300 });
      expect(code(await post(signed(body, { at: new Date(Date.now() + 10 * 60_000) }), body))).toEqual([401, 'INTAKE_SIGNATURE_EXPIRED']);
      const missing = await post({ 'content-type': 'application/json' }, body);
      expect(code(missing)).toEqual([401, 'INTAKE_SIGNATURE_INVALID']);
      expect(missing.json().error.details).toMatchObject({ reason: 'missing' });
      const noSignature = signed(body) as Record<string, string>;
      delete noSignature['webhook-signature'];
      expect(code(await post(noSignature, body))).toEqual([401, 'INTAKE_SIGNATURE_INVALID']);
      expect(await received()).toBe(before);

      // Replayed: the same signed request again, and the same webhook-id with a new body.
      const once = payload('sent once');
      const headers = signed(once);
      expect((await post(headers, once)).statusCode).toBe(202);
      const replay = await post(headers, once);
      expect(code(replay)).toEqual([409, 'INTAKE_REPLAYED']);
      expect(replay.json().error.details).toMatchObject({ source: 'gateway', webhook_id: headers['webhook-id'] });
      const other = payload('same id, new text');
      expect(code(await post(signed(other, { id: headers['webhook-id'] }), other))).toEqual([409, 'INTAKE_REPLAYED']);
      expect(await received()).toBe(before + 1);
    });
  });

  describe('inbound Twilio', () => {
    const form = (sid: string, text: string) => new URLSearchParams({ From: '+15551230000', Body: text, MessageSid: sid, To: '+15550000000' });
    const post = (params: URLSearchParams, signature: string | undefined) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/intake/hooks/twilio',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== undefined && { 'x-twilio-signature': signature }) },
        payload: params.toString(),
      });

    it("a request signed with the account's auth token over the configured URL is accepted", async () => {
      const params = form('SM0001', 'Hello from a phone');
      const r = await post(params, twilioSignature(TWILIO_TOKEN, TWILIO_URL, [...params]));
      expect(r.statusCode, r.body).toBe(202);
      const t = await s.store.db.selectFrom('tickets').select(['channel']).where('key', '=', r.json<{ ticket: string }>().ticket).executeTakeFirstOrThrow();
      expect(t.channel).toBe('sms');
      // Twilio's retry of the same message (same MessageSid) opens nothing twice.
      expect((await post(params, twilioSignature(TWILIO_TOKEN, TWILIO_URL, [...params]))).json()).toMatchObject({ status: 'duplicate' });
    });

    it('a wrong token, another URL, a changed parameter or no signature are refused', async () => {
      const params = form('SM0002', 'forged');
      const codes = async (sig: string | undefined) => {
        const r = await post(params, sig);
        return [r.statusCode, r.json<{ error: { code: string } }>().error.code];
      };
      expect(await codes(twilioSignature('another-token-0123456789abcdef', TWILIO_URL, [...params]))).toEqual([401, 'INTAKE_SIGNATURE_INVALID']);
      expect(await codes(twilioSignature(TWILIO_TOKEN, 'https://evil.example/api/v1/intake/hooks/twilio', [...params]))).toEqual([401, 'INTAKE_SIGNATURE_INVALID']);
      expect(await codes(twilioSignature(TWILIO_TOKEN, TWILIO_URL, [...form('SM0002', 'what was signed')]))).toEqual([401, 'INTAKE_SIGNATURE_INVALID']);
      expect(await codes(undefined)).toEqual([401, 'INTAKE_SIGNATURE_INVALID']);
    });
  });

  it('the legacy shared token still works where configured, and only with the right token', async () => {
    const body = { from: 'someone@social.example', text: 'hi', id: 'p1' };
    const ok = await app.inject({ method: 'POST', url: '/api/v1/intake/hooks/legacy', headers: { 'x-escalon-intake-token': LEGACY_TOKEN }, payload: body });
    expect(ok.statusCode, ok.body).toBe(202);
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/intake/hooks/legacy', headers: { 'x-escalon-intake-token': `${LEGACY_TOKEN}x` }, payload: body });
    expect(wrong.json().error.code).toBe('INTAKE_SIGNATURE_INVALID');
    // A signing source ignores the legacy header: the gateway wants its signature.
    const viaToken = await app.inject({ method: 'POST', url: '/api/v1/intake/hooks/gateway', headers: { 'x-escalon-intake-token': LEGACY_TOKEN }, payload: { data: { from: 'x', text: 'y', id: 'z' } } });
    expect(viaToken.statusCode).toBe(401);
  });
});
