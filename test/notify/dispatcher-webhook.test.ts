import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { isForbiddenAddress } from '../../src/notify/channels/address-guard.ts';
import { createWebhookChannel } from '../../src/notify/channels/webhook.ts';
import { createDispatcher, type DispatcherDeps } from '../../src/notify/dispatcher.ts';
import { ensureEndpoint, findEndpointByUrl } from '../../src/notify/webhook-endpoints-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { outboxRow, queue } from './support/queue.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describeStores('dispatcher over signed webhooks', (s) => {
  let rx: WebhookReceiver;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let dd: DispatcherDeps;

  beforeAll(async () => {
    rx = await startWebhookReceiver(SECRET);
    deps = depsFor(s.store);
    cast = await makeCast(deps);
    // Loopback needs an explicit per-endpoint allow (the SSRF guard refuses it otherwise).
    await ensureEndpoint(s.store.db, rx.url, deps.clock.now(), { allowPrivate: true, secret: SECRET });
    dd = {
      store: s.store,
      clock: deps.clock,
      channels: { webhook: createWebhookChannel(s.store.db, { timeoutMs: 3000, allowPrivate: false, disableAfter: 1000 }) },
      links: { publicUrl: 'https://escalon.example.com' },
      random: () => 0.5,
      options: { backoffBaseMs: 1000, backoffCapMs: 60_000 },
    };
  });
  afterAll(() => rx.close());

  const ticket = async (subject: string) => (await createTicket(deps, cast.actors.customerA, { subject, body: 'b' })).ticket;

  it('a receiver failing every other request still gets everything, signed, in order per ticket, one webhook-id per message', async () => {
    rx.hooks.length = 0;
    rx.respond = (i) => ({ status: i % 2 === 0 ? 500 : 200 });
    const tickets = [await ticket('one'), await ticket('two'), await ticket('three')];
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) {
      for (const t of tickets) ids.push(await queue(s.store, { ticketId: t.id, recipient: rx.url, channel: 'webhook', template: 'idle-reminder', at: deps.clock.now(), rule: `r${n}` }));
      deps.clock.advance(1);
    }
    const d = createDispatcher(dd);
    for (let round = 0; round < 40; round++) {
      await d.drain();
      deps.clock.advance(60_000);
    }
    for (const id of ids) expect((await outboxRow(s.store, id)).status, id).toBe('sent');
    expect(rx.hooks.every((h) => h.signatureOk)).toBe(true);
    const delivered = rx.hooks.filter((h) => h.status === 200);
    expect(new Set(delivered.map((h) => h.id))).toEqual(new Set(ids));
    expect(delivered).toHaveLength(ids.length);
    // Every attempt of a message carried that message's id; retries were real.
    expect(rx.hooks.length).toBeGreaterThan(ids.length);
    for (const h of rx.hooks) expect(ids).toContain(h.id);
    // Per ticket, deliveries arrived in the order the rows were written.
    for (const t of tickets) {
      const order = delivered.filter((h) => (h.body.data as { ticket: string }).ticket === t.key).map((h) => h.id);
      expect(order).toEqual(ids.filter((_, i) => i % 3 === tickets.indexOf(t)));
    }
  });

  it('429 with Retry-After is honoured', async () => {
    rx.respond = () => ({ status: 429, headers: { 'retry-after': '120' } });
    const t = await ticket('slow down');
    const id = await queue(s.store, { ticketId: t.id, recipient: rx.url, channel: 'webhook', template: 'idle-reminder', at: deps.clock.now() });
    await createDispatcher(dd).drain();
    const row = await outboxRow(s.store, id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.next_attempt_at).toBe(deps.clock.now() + 120_000);
  });

  it('a redirect is a failure, not followed', async () => {
    rx.respond = () => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } });
    const t = await ticket('redirect');
    const id = await queue(s.store, { ticketId: t.id, recipient: rx.url, channel: 'webhook', template: 'idle-reminder', at: deps.clock.now() });
    const seen = rx.hooks.length;
    await createDispatcher(dd).drain();
    expect(await outboxRow(s.store, id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await outboxRow(s.store, id)).last_error).toMatch(/redirects are not followed/);
    expect(rx.hooks.length).toBe(seen + 1);
  });

  it('410 Gone disables the endpoint; later messages to it fail without a request', async () => {
    const gone = await startWebhookReceiver(SECRET);
    await ensureEndpoint(s.store.db, gone.url, deps.clock.now(), { allowPrivate: true, secret: SECRET });
    gone.respond = () => ({ status: 410 });
    const t = await ticket('gone');
    const a = await queue(s.store, { ticketId: t.id, recipient: gone.url, channel: 'webhook', template: 'idle-reminder', at: deps.clock.now() });
    await createDispatcher(dd).drain();
    expect(await outboxRow(s.store, a)).toMatchObject({ status: 'failed' });
    expect(await findEndpointByUrl(s.store.db, gone.url)).toMatchObject({ enabled: false, disabledReason: 'the receiver answered 410 Gone' });
    const b = await queue(s.store, { ticketId: t.id, recipient: gone.url, channel: 'webhook', template: 'idle-reminder', at: deps.clock.now() });
    await createDispatcher(dd).drain();
    expect(await outboxRow(s.store, b)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('endpoint disabled') });
    expect(gone.hooks).toHaveLength(1);
    await gone.close();
  });

  it('an endpoint that keeps failing is disabled automatically', async () => {
    const flaky = await startWebhookReceiver(SECRET);
    await ensureEndpoint(s.store.db, flaky.url, deps.clock.now(), { allowPrivate: true, secret: SECRET });
    flaky.respond = () => ({ status: 503 });
    const strict = { ...dd, channels: { webhook: createWebhookChannel(s.store.db, { timeoutMs: 3000, allowPrivate: false, disableAfter: 3 }) } };
    const t = await ticket('flaky');
    const id = await queue(s.store, { ticketId: t.id, recipient: flaky.url, channel: 'webhook', template: 'idle-reminder', at: deps.clock.now() });
    const d = createDispatcher(strict);
    for (let i = 0; i < 5; i++) {
      await d.drain();
      deps.clock.advance(120_000);
    }
    expect(flaky.hooks).toHaveLength(3);
    expect(await findEndpointByUrl(s.store.db, flaky.url)).toMatchObject({ enabled: false, disabledReason: 'failed 3 times in a row' });
    expect(await outboxRow(s.store, id)).toMatchObject({ status: 'failed', attempts: 3 });
    await flaky.close();
  });

  it('refuses a loopback URL without an explicit allow (SSRF), permanently', async () => {
    const other = await startWebhookReceiver(SECRET);
    const t = await ticket('ssrf');
    const id = await queue(s.store, { ticketId: t.id, recipient: other.url, channel: 'webhook', template: 'idle-reminder', at: deps.clock.now() });
    await createDispatcher(dd).drain();
    expect(await outboxRow(s.store, id)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('loopback, private or link-local') });
    expect(other.hooks).toHaveLength(0);
    const named = other.url.replace('127.0.0.1', 'localhost');
    const id2 = await queue(s.store, { ticketId: t.id, recipient: named, channel: 'webhook', template: 'idle-reminder', at: deps.clock.now() });
    await createDispatcher(dd).drain();
    expect(await outboxRow(s.store, id2)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('resolves to') });
    expect(other.hooks).toHaveLength(0);
    await other.close();
  });
});

describe('address guard', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.20.0.1', true], ['192.168.1.1', true], ['169.254.169.254', true], ['100.64.0.1', true],
    ['0.0.0.0', true], ['::1', true], ['fe80::1', true], ['fd00::1', true], ['::ffff:127.0.0.1', true], ['::', true],
    ['93.184.216.34', false], ['8.8.8.8', false], ['2606:4700:4700::1111', false], ['::ffff:8.8.8.8', false],
  ])('%s forbidden: %s', (address, forbidden) => {
    expect(isForbiddenAddress(address)).toBe(forbidden);
  });
});
