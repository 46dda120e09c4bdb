/**
 * The conversation through an SMS/chat provider, end to end: the provider's inbound webhook
 * opens a ticket; a staff public reply goes back through the same outbox as a signed POST to
 * the provider's outbound URL (a local test provider checking the Standard Webhooks signature
 * with its own code), to the number recorded at intake; an internal note reaches nobody; the
 * reply's delivery state is one line beside it that changes (queued → sent / failed with why).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createToken } from '../../src/app/create-token.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { parseIntakeSources } from '../../src/intake/intake-sources.ts';
import { createProviderReplyChannel } from '../../src/notify/channels/provider-reply.ts';
import { newWebhookSecret } from '../../src/notify/channels/webhook-signature.ts';
import { createDispatcher, type Dispatcher } from '../../src/notify/dispatcher.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/support/webhook-receiver.ts';

const TOKEN = 'sms-gateway-token-0123456789';
const PHONE = '+15557654321';

describeStores('the conversation through an SMS provider', (s) => {
  let app: FastifyInstance;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let provider: WebhookReceiver;
  let dispatcher: Dispatcher;
  let agent: { authorization: string };

  beforeAll(async () => {
    const secret = newWebhookSecret();
    provider = await startWebhookReceiver(secret);
    deps = depsFor(s.store);
    cast = await makeCast(deps);
    // Configured as an admin would: ESCALON_INTAKE_SOURCES text.
    const sources = parseIntakeSources(
      JSON.stringify({ 'sms-gw': { token: TOKEN, channel: 'sms', fields: { from: 'From', body: 'Body', external_id: 'MessageSid' }, reply: { url: provider.url, secret } } }),
    );
    app = await buildApp({
      ...deps,
      http: { bodyLimit: 256 * 1024, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false },
      intake: { secret: 'provider-secret-0123456789abcdef0123', defaultOrganizationId: cast.orgB, webFormPerMinute: 1000, webFormPerHourPerSender: 5, sources },
    });
    const reply = sources['sms-gw']!.reply!;
    dispatcher = createDispatcher({
      store: s.store,
      clock: deps.clock,
      channels: { 'reply:sms-gw': createProviderReplyChannel({ source: 'sms-gw', url: reply.url, secret: reply.secret, timeoutMs: 5000 }) },
      links: { publicUrl: 'https://escalon.example.com' },
      random: () => 1,
      options: { backoffBaseMs: 10_000 },
    });
    agent = { authorization: `Bearer ${(await createToken(deps, { user: { id: cast.actors.agent.userId }, name: 't' })).secret}` };
  });
  afterAll(async () => {
    await app.close();
    await provider.close();
  });

  const inbound = (sid: string, text: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/intake/hooks/sms-gw',
      headers: { 'x-escalon-intake-token': TOKEN, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ From: PHONE, Body: text, MessageSid: sid }).toString(),
    });
  const comment = (key: string, body: string, isPublic: boolean) => app.inject({ method: 'POST', url: `/api/v1/tickets/${key}/comments`, headers: agent, payload: { body, public: isPublic } });
  const deliveryOf = async (key: string, id: string) =>
    ((await app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/comments`, headers: agent })).json().items as Array<{ id: string; delivery: unknown[] }>).find((c) => c.id === id)?.delivery;

  it('inbound SMS → ticket → staff reply POSTed back to the provider, signed, to the sender; the note reaches nobody', async () => {
    const r = await inbound('SM1', 'My router blinks red');
    expect(r.statusCode).toBe(202);
    const key = r.json().ticket as string;
    expect((await comment(key, 'Internal: probably the firmware bug.', false)).statusCode).toBe(201);
    const posted = await comment(key, 'Please unplug it for ten seconds.', true);
    expect(posted.statusCode).toBe(201);
    expect(posted.json().delivery).toEqual([{ recipient: PHONE, channel: 'reply:sms-gw', state: 'queued', error: null, attempts: 0, sent_at: null }]);

    await dispatcher.drain();
    expect(provider.hooks).toHaveLength(1);
    const hook = provider.hooks[0]!;
    expect(hook.signatureOk).toBe(true);
    expect(hook.body).toMatchObject({ type: 'escalon.reply', data: { to: PHONE, text: 'Please unplug it for ten seconds.', ticket: key, source: 'sms-gw' } });
    expect(JSON.stringify(provider.hooks)).not.toContain('firmware');
    expect(await deliveryOf(key, posted.json().id as string)).toEqual([expect.objectContaining({ recipient: PHONE, state: 'sent', error: null, attempts: 1 })]);

    // The customer answers by SMS: same ticket, and nothing is echoed back to them.
    const again = await inbound('SM2', 'Did that, still red');
    expect(again.json()).toMatchObject({ status: 'commented', ticket: key });
    await dispatcher.drain();
    expect(provider.hooks).toHaveLength(1);

    // Solved, then the customer texts again: the same ticket reopens.
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/tickets/${key}`, headers: agent, payload: { status: 'solved' } })).statusCode).toBe(200);
    expect((await inbound('SM2b', 'Red again this morning')).json()).toMatchObject({ status: 'commented', ticket: key });
    expect((await app.inject({ method: 'GET', url: `/api/v1/tickets/${key}`, headers: agent })).json()).toMatchObject({ status: 'open', reopens: 1 });
  });

  it('a failing provider: the reply shows one delivery line, queued with the reason, then failed with why', async () => {
    const key = (await inbound('SM3', 'Another problem')).json().ticket as string;
    provider.respond = () => ({ status: 503 });
    const posted = await comment(key, 'Looking into it.', true);
    const id = posted.json().id as string;
    await dispatcher.drain();
    expect(await deliveryOf(key, id)).toEqual([expect.objectContaining({ state: 'queued', error: 'provider HTTP 503', attempts: 1 })]);
    deps.clock.advance(60_000);
    provider.respond = () => ({ status: 400 });
    await dispatcher.drain();
    expect(await deliveryOf(key, id)).toEqual([expect.objectContaining({ state: 'failed', error: expect.stringContaining('provider refused: HTTP 400'), attempts: 2 })]);
    provider.respond = () => ({ status: 204 });
  });
});
