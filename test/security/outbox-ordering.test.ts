/**
 * Issue 12, finding 5: one failing webhook held back every other message of its ticket (the
 * requester's email and an internal email waited 24+ minutes). Order now holds per ticket and
 * destination (channel + address or endpoint): a failing destination delays only itself.
 *
 * Real receivers on loopback: an HTTP endpoint answering 500 (support/webhook-receiver.ts) and
 * an SMTP server (support/smtp-sink.ts); the real dispatcher, webhook and email channels.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createWebhookChannel } from '../../src/notify/channels/webhook.ts';
import { createDispatcher, type DispatcherDeps } from '../../src/notify/dispatcher.ts';
import { ensureEndpoint } from '../../src/notify/webhook-endpoints-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { startSmtpSink, type SmtpSink } from '../notify/support/smtp-sink.ts';
import { outboxRow, queue } from '../notify/support/queue.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/support/webhook-receiver.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const MIN = 60_000;

describeStores('outbox order per ticket and destination', (s) => {
  let rx: WebhookReceiver;
  let sink: SmtpSink;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let dd: DispatcherDeps;

  beforeAll(async () => {
    rx = await startWebhookReceiver(SECRET);
    sink = await startSmtpSink();
    deps = depsFor(s.store);
    cast = await makeCast(deps);
    await ensureEndpoint(s.store.db, rx.url, deps.clock.now(), { allowPrivate: true, secret: SECRET });
    dd = {
      store: s.store,
      clock: deps.clock,
      channels: {
        webhook: createWebhookChannel(s.store.db, {
          timeoutMs: 3000,
          allowPrivate: false,
          disableAfter: 1000,
        }),
        email: createEmailChannel({
          host: '127.0.0.1',
          port: sink.port,
          secure: false,
          from: 'escalon@support.example.com',
          timeoutMs: 5000,
        }),
      },
      links: { publicUrl: 'https://escalon.example.com' },
      random: () => 1,
      // No merge window: each mail goes on the pass that claims it (merging has its own tests).
      options: { backoffBaseMs: MIN, backoffCapMs: 10 * MIN, mergeWindowMs: 0 },
    };
  });
  afterAll(async () => {
    await dd.channels.email?.close?.();
    await sink.close();
    await rx.close();
  });

  const mailsTo = (address: string) =>
    sink.received.filter(
      (m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address?.toLowerCase() === address.toLowerCase(),
    );

  it('a webhook answering 500 delays only itself: the requester email and an internal email go on the first pass; a second message to the webhook waits for the first', async () => {
    rx.respond = () => ({ status: 500 });
    const { ticket } = await createTicket(deps, cast.actors.customerA, {
      subject: 'Checkout down',
      body: 'All payments fail.',
    });
    const requester = cast.actors.customerA.email;
    const internal = 'lina@example.com';

    // Written in this order, one millisecond apart: the failing webhook first.
    const hook1 = await queue(s.store, {
      ticketId: ticket.id,
      recipient: rx.url,
      channel: 'webhook',
      template: 'sla-breach-internal',
      at: deps.clock.now(),
      rule: 'hook-1',
    });
    deps.clock.advance(1);
    const toRequester = await queue(s.store, {
      ticketId: ticket.id,
      recipient: requester,
      template: 'ticket-received-customer',
      audience: 'customer',
      role: 'requester',
      at: deps.clock.now(),
    });
    deps.clock.advance(1);
    const toLead = await queue(s.store, {
      ticketId: ticket.id,
      recipient: internal,
      template: 'sla-breach-internal',
      role: 'team_lead',
      at: deps.clock.now(),
    });
    deps.clock.advance(1);
    const hook2 = await queue(s.store, {
      ticketId: ticket.id,
      recipient: rx.url,
      channel: 'webhook',
      template: 'idle-reminder',
      at: deps.clock.now(),
      rule: 'hook-2',
    });

    const d = createDispatcher(dd);
    // The first pass: the webhook fails (500) and is retried later; both emails are delivered.
    expect(await d.runDue()).toBe(3); // hook1, the two emails — never hook2 (behind hook1)
    await sink.waitFor(2);
    expect(mailsTo(requester)).toHaveLength(1);
    expect(mailsTo(internal)).toHaveLength(1);
    expect(await outboxRow(s.store, toRequester)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await outboxRow(s.store, toLead)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await outboxRow(s.store, hook1)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(rx.hooks.map((h) => h.id)).toEqual([hook1]);

    // Several retries later the endpoint still fails: hook2 (same endpoint) is never tried meanwhile.
    for (let round = 0; round < 4; round++) {
      deps.clock.advance(10 * MIN);
      await d.drain();
    }
    expect((await outboxRow(s.store, hook1)).attempts).toBeGreaterThanOrEqual(4);
    expect(await outboxRow(s.store, hook2)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(new Set(rx.hooks.map((h) => h.id))).toEqual(new Set([hook1]));

    // The endpoint recovers: hook1 goes first, then hook2 — in the order they were written.
    rx.respond = () => ({ status: 204 });
    deps.clock.advance(10 * MIN);
    await d.drain();
    deps.clock.advance(10 * MIN);
    await d.drain();
    expect(await outboxRow(s.store, hook1)).toMatchObject({ status: 'sent' });
    expect(await outboxRow(s.store, hook2)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(rx.hooks.filter((h) => h.status === 204).map((h) => h.id)).toEqual([hook1, hook2]);
    // No mail was sent twice.
    expect(mailsTo(requester)).toHaveLength(1);
    expect(mailsTo(internal)).toHaveLength(1);
  });

  it('two mails to one address about one ticket go in order: the second waits while the first is refused, another address does not', async () => {
    const { ticket } = await createTicket(deps, cast.actors.customerA, {
      subject: 'Slow exports',
      body: 'Exports take an hour.',
    });
    const lead = 'lina@example.com';
    const first = await queue(s.store, {
      ticketId: ticket.id,
      recipient: lead,
      template: 'sla-warning-internal',
      role: 'team_lead',
      at: deps.clock.now(),
    });
    deps.clock.advance(1);
    const second = await queue(s.store, {
      ticketId: ticket.id,
      recipient: lead,
      template: 'sla-breach-internal',
      role: 'team_lead',
      at: deps.clock.now(),
    });
    const d = createDispatcher(dd);
    sink.refuse = { code: 421, message: 'try again later' };
    await d.runDue();
    sink.refuse = null;
    expect(await outboxRow(s.store, first)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await outboxRow(s.store, second)).toMatchObject({ status: 'pending', attempts: 0 });

    // A mail to another address of the same ticket goes at once while `first` waits for its retry.
    deps.clock.advance(1);
    const other = await queue(s.store, {
      ticketId: ticket.id,
      recipient: 'marc@example.com',
      template: 'sla-breach-internal',
      role: 'manager',
      at: deps.clock.now(),
    });
    const before = sink.received.length;
    await d.drain();
    await sink.waitFor(before + 1);
    expect(await outboxRow(s.store, other)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await outboxRow(s.store, second)).toMatchObject({ status: 'pending', attempts: 0 });

    deps.clock.advance(10 * MIN);
    await d.drain();
    await sink.waitFor(before + 3);
    const toLead = sink.received.slice(before + 1).map((m) => m.subject ?? '');
    expect(toLead).toHaveLength(2);
    expect(toLead[0]).toContain('SLA at risk');
    expect(toLead[1]).toContain('SLA breached');
    expect(await outboxRow(s.store, second)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
