import { afterAll, beforeAll, expect, it } from 'vitest';
import { addComment } from '../../src/app/add-comment.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { BusinessCalendar } from '../../src/domain/calendar.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createDispatcher, type DispatcherDeps } from '../../src/notify/dispatcher.ts';
import { checkReplyAddress } from '../../src/notify/signed-links.ts';
import { listEvents } from '../../src/store/events-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';
import { outboxRow, queue } from './support/queue.ts';

const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
const MIN = 60_000;

describeStores('dispatcher over real SMTP', (s) => {
  let sink: SmtpSink;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let dispatcherDeps: DispatcherDeps;
  const closed = new Set<string>();

  beforeAll(async () => {
    sink = await startSmtpSink();
    deps = depsFor(s.store);
    cast = await makeCast(deps);
    dispatcherDeps = {
      store: s.store,
      clock: deps.clock,
      channels: { email: createEmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: 'escalon@support.example.com', timeoutMs: 5000 }) },
      links: { publicUrl: 'https://escalon.example.com', secret: SECRET, replyDomain: 'support.example.com' },
      directory: { quietHoursFor: (address) => (closed.has(address) ? officeHours : null) },
      random: () => 1,
      // Immediate sends for the tests of delivery itself; merging has its own tests with the real window.
      options: { backoffBaseMs: 10_000, mergeWindowMs: 0 },
    };
  });
  afterAll(async () => {
    await dispatcherDeps.channels.email?.close?.();
    await sink.close();
  });

  // Mon–Fri 09:00–17:00 UTC.
  const officeHours = new BusinessCalendar({
    id: 'office',
    timezone: 'UTC',
    alwaysOpen: false,
    week: [0, 1, 2, 3, 4].map(() => [{ start: 540, end: 1020 }]).concat([[], []]),
    holidays: [],
  });

  async function newTicket(subject: string, priority: 'normal' | 'urgent' = 'normal') {
    return (await createTicket(deps, cast.actors.agent, { requesterId: cast.actors.customerA.userId, subject, body: 'It <b>breaks</b> every morning.', priority })).ticket;
  }

  it('delivers a templated mail with a stable Message-ID, a signed reply address, a delivery record and a notification.sent event', async () => {
    const t = await newTicket('Export broken');
    const id = await queue(s.store, { ticketId: t.id, recipient: 'lina@example.com', template: 'sla-breach-internal', at: deps.clock.now(), role: 'team_lead' });
    const before = sink.received.length;
    expect(await createDispatcher(dispatcherDeps).drain()).toBe(1);
    await sink.waitFor(before + 1);
    const mail = sink.received[before]!;
    expect(mail.subject).toBe(`[${t.key}] SLA breached — Export broken`);
    expect(mail.messageId).toBe(`<${id}@support.example.com>`);
    expect(mail.text).toContain('Customer customer-a');
    expect(mail.html).toMatch(/Customer customer-a &lt;customer-a-[^&<]+@example\.com&gt;/);
    const replyTo = mail.replyTo?.value[0]?.address ?? '';
    expect(checkReplyAddress(SECRET, replyTo)).toEqual({ kind: 'valid', ticketKey: t.key });
    const row = await outboxRow(s.store, id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, message_id: id });
    const deliveries = await s.store.db.selectFrom('notification_deliveries').selectAll().where('outbox_id', '=', id).execute();
    expect(deliveries).toMatchObject([{ attempt: 1, outcome: 'sent', message_id: id }]);
    const events = await listEvents(s.store.db, t.id, { includeInternal: true });
    expect(events.filter((e) => e.type === 'notification.sent')).toMatchObject([{ internal: true, payload: { outbox_id: id, template: 'sla-breach-internal', recipient: 'lina@example.com' } }]);
  });

  it('an SMTP outage delays delivery with backoff; nothing is lost and the same Message-ID goes out when it returns', async () => {
    const t = await newTicket('Outage');
    const id = await queue(s.store, { ticketId: t.id, recipient: 'ana@example.com', template: 'idle-reminder', at: deps.clock.now() });
    const d = createDispatcher(dispatcherDeps);
    sink.refuse = { code: 451, message: 'try again later' };
    const start = deps.clock.now();
    await d.drain();
    let row = await outboxRow(s.store, id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.next_attempt_at).toBe(start + 10_000); // random() = 1: the full nominal delay
    expect(row.last_error).toMatch(/451/);
    deps.clock.advance(10_000);
    await d.drain();
    row = await outboxRow(s.store, id);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row.next_attempt_at).toBe(deps.clock.now() + 20_000);
    sink.refuse = null;
    const before = sink.received.length;
    deps.clock.advance(19_999);
    expect(await d.drain()).toBe(0); // not yet due
    deps.clock.advance(1);
    await d.drain();
    await sink.waitFor(before + 1);
    expect(sink.received[before]!.messageId).toBe(`<${id}@support.example.com>`);
    const deliveries = await s.store.db.selectFrom('notification_deliveries').selectAll().where('outbox_id', '=', id).orderBy('attempt').execute();
    expect(deliveries.map((x) => [x.attempt, x.outcome, x.message_id])).toEqual([
      [1, 'retry', id],
      [2, 'retry', id],
      [3, 'sent', id],
    ]);
    // Retries are delivery rows, not timeline lines: one line for the message, its outcome.
    const lines = (await listEvents(s.store.db, t.id, { includeInternal: true })).filter((e) => e.type.startsWith('notification.'));
    expect(lines.map((e) => [e.type, e.payload.attempt])).toEqual([['notification.sent', 3]]);
  });

  it('a permanent SMTP refusal (5xx) fails the row at once', async () => {
    const t = await newTicket('Bad mailbox');
    const id = await queue(s.store, { ticketId: t.id, recipient: 'nobody@example.com', template: 'idle-reminder', at: deps.clock.now() });
    sink.refuse = { code: 550, message: 'no such mailbox' };
    await createDispatcher(dispatcherDeps).drain();
    sink.refuse = null;
    expect(await outboxRow(s.store, id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('a later row to the same address waits while an earlier one is retrying; another address does not wait: order per destination', async () => {
    const t = await newTicket('Ordered');
    const first = await queue(s.store, { ticketId: t.id, recipient: 'first@example.com', template: 'idle-reminder', at: deps.clock.now() });
    deps.clock.advance(1);
    const second = await queue(s.store, { ticketId: t.id, recipient: 'First@Example.com', template: 'sla-breach-internal', at: deps.clock.now() });
    const d = createDispatcher(dispatcherDeps);
    sink.refuse = { code: 421, message: 'service not available' };
    await d.drain();
    sink.refuse = null;
    expect((await outboxRow(s.store, first)).status).toBe('pending');
    expect((await outboxRow(s.store, second)).status).toBe('pending');
    expect((await outboxRow(s.store, second)).attempts).toBe(0); // never tried while the first waits (one address, two spellings)
    // Another address of the same ticket is not held back by the retrying one.
    deps.clock.advance(1);
    const other = await queue(s.store, { ticketId: t.id, recipient: 'other@example.com', template: 'idle-reminder', at: deps.clock.now() });
    let before = sink.received.length;
    await d.drain();
    await sink.waitFor(before + 1);
    expect(await outboxRow(s.store, other)).toMatchObject({ status: 'sent', attempts: 1 });
    expect((await outboxRow(s.store, second)).attempts).toBe(0);
    before = sink.received.length;
    deps.clock.advance(10_000);
    await d.drain();
    await sink.waitFor(before + 2);
    expect(sink.received.slice(before).map((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address?.toLowerCase())).toEqual(['first@example.com', 'first@example.com']);
    expect(sink.received.slice(before).map((m) => m.subject)).toEqual([expect.stringContaining('No activity') as unknown, expect.stringContaining('SLA breached') as unknown]);
  });

  it('merges messages to the same recipient about the same ticket within 5 minutes into one', async () => {
    const merging = { ...dispatcherDeps, options: { backoffBaseMs: 10_000 } };
    const t = await newTicket('Chatty');
    const a = await queue(s.store, { ticketId: t.id, recipient: 'lina@example.com', template: 'sla-warning-internal', at: deps.clock.now() });
    const before = sink.received.length;
    await createDispatcher(merging).drain();
    expect(await outboxRow(s.store, a)).toMatchObject({ status: 'held' }); // gathering
    deps.clock.advance(MIN);
    const b = await queue(s.store, { ticketId: t.id, recipient: 'lina@example.com', template: 'sla-breach-internal', at: deps.clock.now() });
    await createDispatcher(merging).drain();
    deps.clock.advance(4 * MIN);
    await createDispatcher(merging).drain();
    await sink.waitFor(before + 1);
    expect(sink.received[before]!.subject).toBe(`[${t.key}] SLA at risk — Chatty (+1 more update)`);
    expect(sink.received[before]!.text).toContain('SLA breached');
    expect(await outboxRow(s.store, b)).toMatchObject({ status: 'merged', merged_into: a });
    // A third one two minutes after that message waits for the window to close, then goes alone.
    deps.clock.advance(2 * MIN);
    const c = await queue(s.store, { ticketId: t.id, recipient: 'lina@example.com', template: 'idle-reminder', at: deps.clock.now() });
    await createDispatcher(merging).drain();
    expect(await outboxRow(s.store, c)).toMatchObject({ status: 'held' });
    deps.clock.advance(5 * MIN);
    await createDispatcher(merging).drain();
    await sink.waitFor(before + 2);
    expect(await outboxRow(s.store, c)).toMatchObject({ status: 'sent' });
    expect(sink.received.length).toBe(before + 2);
  });

  it('five events in two minutes to one lead become one mail listing the five, even when the held rows come due in one batch', async () => {
    const merging = { ...dispatcherDeps, options: { backoffBaseMs: 10_000 } };
    const t = await newTicket('Busy morning');
    const templates = ['sla-warning-internal', 'idle-reminder', 'sla-breach-internal', 'technical-complexity-escalation', 'unacknowledged-reminder'];
    const ids: string[] = [];
    const before = sink.received.length;
    for (const template of templates) {
      ids.push(await queue(s.store, { ticketId: t.id, recipient: 'erin@example.com', template, at: deps.clock.now(), role: 'team_lead' }));
      await createDispatcher(merging).drain(); // each write wakes the dispatcher, as in the live system
      deps.clock.advance(30_000);
    }
    expect(sink.received.length).toBe(before);
    deps.clock.advance(5 * MIN);
    await createDispatcher(merging).drain();
    await sink.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.received.length).toBe(before + 1);
    const mail = sink.received[before]!;
    expect(mail.subject).toMatch(/\(\+4 more updates\)$/);
    for (const heading of ['SLA at risk', 'SLA breached']) expect(mail.text).toContain(heading);
    expect((mail.text ?? '').split('----------------------------------------')).toHaveLength(5);
    const rows = await Promise.all(ids.map((id) => outboxRow(s.store, id)));
    expect(rows.map((r) => r.status)).toEqual(['sent', 'merged', 'merged', 'merged', 'merged']);
    const lines = (await listEvents(s.store.db, t.id, { includeInternal: true })).filter((e) => e.type.startsWith('notification.'));
    expect(lines).toHaveLength(5); // one line per message, none per hold
  });

  it('the same warning twice to one address within the window is sent once', async () => {
    const merging = { ...dispatcherDeps, options: { backoffBaseMs: 10_000 } };
    const t = await newTicket('Twice warned');
    const before = sink.received.length;
    const first = await queue(s.store, { ticketId: t.id, recipient: 'marc@example.com', template: 'sla-warning-internal', at: deps.clock.now() });
    deps.clock.advance(20_000);
    const second = await queue(s.store, { ticketId: t.id, recipient: 'marc@example.com', template: 'sla-warning-internal', at: deps.clock.now() });
    deps.clock.advance(5 * MIN);
    await createDispatcher(merging).drain();
    await sink.waitFor(before + 1);
    expect(sink.received[before]!.subject).toBe(`[${t.key}] SLA at risk — Twice warned`);
    expect(await outboxRow(s.store, second)).toMatchObject({ status: 'merged', merged_into: first });
    // And once more, queued just after that mail went: identical, so not sent again.
    deps.clock.advance(MIN);
    const third = await queue(s.store, { ticketId: t.id, recipient: 'marc@example.com', template: 'sla-warning-internal', at: deps.clock.now() });
    deps.clock.advance(10 * MIN);
    await createDispatcher(merging).drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.received.length).toBe(before + 1);
    expect(await outboxRow(s.store, third)).toMatchObject({ status: 'merged' });
  });

  it('conversation replies are never held nor merged: two replies in a row are two mails at once', async () => {
    const merging = { ...dispatcherDeps, options: { backoffBaseMs: 10_000 } };
    const t = await newTicket('Talking');
    const before = sink.received.length;
    await addComment(deps, cast.actors.agent, t.key, { body: 'First answer', public: true });
    await addComment(deps, cast.actors.agent, t.key, { body: 'Second answer', public: true });
    const rows = await s.store.db.selectFrom('outbox').select('id').where('ticket_id', '=', t.id).where('template', '=', 'customer-reply').orderBy('created_at').execute();
    expect(rows).toHaveLength(2);
    await createDispatcher(merging).drain();
    await sink.waitFor(before + 2);
    for (const r of rows) expect((await outboxRow(s.store, r.id)).status).toBe('sent');
    expect(sink.received.slice(before).map((m) => (m.text ?? '').split('\n')[0])).toEqual(['First answer', 'Second answer']);
  });

  it("holds non-urgent internal notices during the recipient's quiet hours; urgent ones go at once", async () => {
    deps.clock.set(Date.UTC(2026, 2, 7, 22, 0)); // Saturday night
    closed.add('sleepy@example.com');
    const calm = await newTicket('Calm');
    const fire = await newTicket('Fire', 'urgent');
    const held = await queue(s.store, { ticketId: calm.id, recipient: 'sleepy@example.com', template: 'idle-reminder', at: deps.clock.now() });
    const now = await queue(s.store, { ticketId: fire.id, recipient: 'sleepy@example.com', template: 'sla-breach-internal', at: deps.clock.now() });
    const before = sink.received.length;
    await createDispatcher(dispatcherDeps).drain();
    await sink.waitFor(before + 1);
    expect(await outboxRow(s.store, now)).toMatchObject({ status: 'sent' });
    const h = await outboxRow(s.store, held);
    expect(h.status).toBe('held');
    expect(h.next_attempt_at).toBe(Date.UTC(2026, 2, 9, 9, 0)); // Monday 09:00
    deps.clock.set(Date.UTC(2026, 2, 9, 9, 0));
    await createDispatcher(dispatcherDeps).drain();
    await sink.waitFor(before + 2);
    expect(await outboxRow(s.store, held)).toMatchObject({ status: 'sent' });
  });

  it('never sends an internal notice to a customer, and customer mail shows no internal addresses', async () => {
    const t = await newTicket('Leak?');
    const bad = await queue(s.store, { ticketId: t.id, recipient: cast.actors.customerA.email, template: 'sla-breach-internal', at: deps.clock.now(), audience: 'internal' });
    const wrongAudience = await queue(s.store, { ticketId: t.id, recipient: 'x@example.com', template: 'idle-reminder', at: deps.clock.now(), audience: 'customer' });
    await s.store.db.updateTable('organizations').set({ account_manager: 'secret-am@example.com' }).where('id', '=', cast.orgA).execute();
    const good = await queue(s.store, { ticketId: t.id, recipient: cast.actors.customerA.email, template: 'escalated-customer-update', at: deps.clock.now(), audience: 'customer', role: 'requester' });
    const before = sink.received.length;
    await createDispatcher(dispatcherDeps).drain();
    await sink.waitFor(before + 1);
    expect(await outboxRow(s.store, bad)).toMatchObject({ status: 'cancelled' });
    expect(await outboxRow(s.store, wrongAudience)).toMatchObject({ status: 'cancelled' });
    expect(await outboxRow(s.store, good)).toMatchObject({ status: 'sent' });
    const mail = sink.received[before]!;
    expect(mail.subject).toBe(`[${t.key}] Your request has been escalated`);
    expect(`${mail.text}${mail.html}`).not.toContain('secret-am@example.com');
    expect(sink.received.slice(before).length).toBe(1);
  });

  it('with no email channel a message waits in one state, without attempts or events, and goes when a dispatcher has the channel', async () => {
    const t = await newTicket('Nobody to send');
    const id = await queue(s.store, { ticketId: t.id, recipient: 'ana@example.com', template: 'idle-reminder', at: deps.clock.now() });
    const mailless = { ...dispatcherDeps, channels: {} };
    for (let i = 0; i < 5; i++) {
      await createDispatcher(mailless).drain();
      deps.clock.advance(10 * MIN);
    }
    expect(await outboxRow(s.store, id)).toMatchObject({ status: 'waiting', attempts: 0, last_error: 'waiting: no email channel' });
    const attempts = await s.store.db.selectFrom('notification_deliveries').selectAll().where('outbox_id', '=', id).execute();
    expect(attempts).toEqual([]);
    expect((await listEvents(s.store.db, t.id, { includeInternal: true })).filter((e) => e.type.startsWith('notification.'))).toEqual([]);
    const before = sink.received.length;
    await createDispatcher(dispatcherDeps).drain();
    await sink.waitFor(before + 1);
    expect(await outboxRow(s.store, id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a message that waited for a channel longer than the maximum age fails once, with one timeline line', async () => {
    const t = await newTicket('Too old');
    const id = await queue(s.store, { ticketId: t.id, recipient: 'ana@example.com', template: 'idle-reminder', at: deps.clock.now() });
    const mailless = { ...dispatcherDeps, channels: {}, options: { maxAgeMs: 60 * MIN } };
    await createDispatcher(mailless).drain();
    deps.clock.advance(61 * MIN);
    await createDispatcher(mailless).drain();
    deps.clock.advance(61 * MIN);
    await createDispatcher(mailless).drain();
    const row = await outboxRow(s.store, id);
    expect(row).toMatchObject({ status: 'failed', attempts: 0 });
    expect(row.last_error).toMatch(/^expired: waited 1 h with waiting: no email channel/);
    const lines = (await listEvents(s.store.db, t.id, { includeInternal: true })).filter((e) => e.type.startsWith('notification.'));
    expect(lines.map((e) => [e.type, e.payload.expired])).toEqual([['notification.failed', true]]);
    const before = sink.received.length;
    await createDispatcher(dispatcherDeps).drain();
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.received.length).toBe(before); // expired is final
  });
});
