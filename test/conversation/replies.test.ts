/**
 * Staff replies reach the customer by default (no policy rule), and nothing else does: the
 * rows a reply writes, the CC list staff keep, replies never merged with notices, and
 * customers' messages to solved and closed tickets through the API.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addComment } from '../../src/app/add-comment.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { setTicketCcs } from '../../src/app/set-ticket-ccs.ts';
import { updateTicket } from '../../src/app/update-ticket.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createDispatcher } from '../../src/notify/dispatcher.ts';
import { listEvents } from '../../src/store/events-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../notify/support/smtp-sink.ts';
import { queue } from '../notify/support/queue.ts';

describeStores('staff replies to the customer', (s) => {
  let t: TestApp;
  let sink: SmtpSink;

  beforeAll(async () => {
    t = await makeTestApp(s.store);
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await t.app.close();
    await sink.close();
  });

  const rowsOf = (ticketId: string) => s.store.db.selectFrom('outbox').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
  const newTicket = async (subject: string) => (await createTicket(t.deps, t.cast.actors.customerA, { subject, body: 'x' })).ticket;

  it('a public staff reply queues one reply row per customer recipient, with no policy; notes and customer messages queue nothing', async () => {
    const ticket = await newTicket('Queued replies');
    await setTicketCcs(t.deps, t.cast.actors.agent, ticket.key, ['cc1@acme.example']);
    await addComment(t.deps, t.cast.actors.agent, ticket.key, { body: 'internal only', public: false });
    await addComment(t.deps, t.cast.actors.customerA, ticket.key, { body: 'me again', public: true });
    expect(await rowsOf(ticket.id)).toEqual([]);
    const { comment } = await addComment(t.deps, t.cast.actors.agent, ticket.key, { body: 'Hello from support', public: true });
    const rows = await rowsOf(ticket.id);
    expect(rows.map((r) => [r.channel, r.recipient, r.template, r.comment_id, r.status])).toEqual([
      ['email', t.cast.actors.customerA.email, 'customer-reply', comment!.id, 'pending'],
      ['email', 'cc1@acme.example', 'customer-reply', comment!.id, 'pending'],
    ]);
    expect(rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ kind: 'reply', comment_id: comment!.id, audience: 'customer', recipient_role: 'requester' }),
      expect.objectContaining({ kind: 'reply', comment_id: comment!.id, audience: 'customer', recipient_role: 'cc' }),
    ]);
  });

  it('replies written as history (the demo seed) are never queued', async () => {
    const ticket = await newTicket('History');
    await addComment({ ...t.deps, history: true }, t.cast.actors.agent, ticket.key, { body: 'seeded', public: true });
    expect(await rowsOf(ticket.id)).toEqual([]);
  });

  it('a reply is a message of its own: never merged into a waiting notice, nor held by the merge window', async () => {
    const ticket = await newTicket('Not merged');
    const dispatcher = createDispatcher({
      store: s.store,
      clock: t.deps.clock,
      channels: { email: createEmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: 'help@support.example.com', timeoutMs: 5000 }) },
      links: { publicUrl: 'https://escalon.example.com' },
    });
    const to = t.cast.actors.customerA.email;
    await queue(s.store, { ticketId: ticket.id, recipient: to, template: 'customer-progress-update', at: t.deps.clock.now(), audience: 'customer', role: 'requester' });
    await dispatcher.drain();
    // Notices wait to gather what follows them (merge window); the reply right after goes at once, alone.
    await queue(s.store, { ticketId: ticket.id, recipient: to, template: 'customer-progress-update', at: t.deps.clock.now(), audience: 'customer', role: 'requester' });
    await addComment(t.deps, t.cast.actors.agent, ticket.key, { body: 'A reply of its own', public: true });
    const before = sink.received.length;
    await dispatcher.drain();
    await sink.waitFor(before + 1);
    const reply = sink.received.slice(before);
    expect(reply).toHaveLength(1);
    expect(reply[0]!.subject).toBe(`[${ticket.key}] Re: Not merged`);
    expect(reply[0]!.text).toContain('A reply of its own');
    expect(reply[0]!.text).not.toContain('Progress update');
    const rows = await rowsOf(ticket.id);
    expect(rows.map((r) => [r.template, r.status])).toEqual([
      ['customer-progress-update', 'held'],
      ['customer-progress-update', 'held'],
      ['customer-reply', 'sent'],
    ]);
  });

  it('CCs: staff list and replace them, addresses are validated, the change is an event; customers may not', async () => {
    const ticket = await newTicket('CC list');
    const url = `/api/v1/tickets/${ticket.key}/ccs`;
    expect((await t.app.inject({ method: 'GET', url, headers: t.auth('agent') })).json()).toEqual({ ticket: ticket.key, ccs: [] });
    const put = await t.app.inject({ method: 'PUT', url, headers: t.auth('agent'), payload: { ccs: ['Pat@Acme.example', 'lee@acme.example', 'pat@acme.example'] } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ ticket: ticket.key, ccs: ['lee@acme.example', 'pat@acme.example'] });
    const bad = await t.app.inject({ method: 'PUT', url, headers: t.auth('agent'), payload: { ccs: ['pat@acme.example', 'not an address'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('ccs.1') });
    const requester = await t.app.inject({ method: 'PUT', url, headers: t.auth('agent'), payload: { ccs: [t.cast.actors.customerA.email] } });
    expect(requester.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('is the requester') });
    expect((await t.app.inject({ method: 'PUT', url, headers: t.auth('customerA'), payload: { ccs: [] } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url, headers: t.auth('customerA') })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'PUT', url, headers: t.auth('agent'), payload: { ccs: ['lee@acme.example'] } })).json().ccs).toEqual(['lee@acme.example']);
    const changes = (await listEvents(s.store.db, ticket.id, { includeInternal: true })).filter((e) => e.type === 'ticket.updated' && e.payload.field === 'ccs');
    expect(changes.map((e) => e.payload.to)).toEqual([['lee@acme.example', 'pat@acme.example'], ['lee@acme.example']]);
  });

  it('through the API: a customer reply reopens a solved ticket; to a closed one it opens a linked follow-up; staff get a clear refusal', async () => {
    const ticket = await newTicket('Portal follow-ups');
    await addComment(t.deps, t.cast.actors.agent, ticket.key, { body: 'Done.', public: true });
    await updateTicket(t.deps, t.cast.actors.agent, ticket.key, { status: 'solved' });
    const url = `/api/v1/tickets/${ticket.key}/comments`;
    const reply = await t.app.inject({ method: 'POST', url, headers: t.auth('customerA'), payload: { body: 'Not fixed' } });
    expect(reply.statusCode).toBe(201);
    expect(reply.json()).toMatchObject({ body: 'Not fixed', delivery: [] });
    const reopened = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}`, headers: t.auth('customerA') });
    expect(reopened.json()).toMatchObject({ status: 'open', reopens: 1 });
    await updateTicket(t.deps, t.cast.actors.agent, ticket.key, { status: 'solved' });
    await updateTicket(t.deps, t.cast.actors.agent, ticket.key, { status: 'closed' });
    const refused = await t.app.inject({ method: 'POST', url, headers: t.auth('agent'), payload: { body: 'one more thing' } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/is closed: open a new ticket/);
    const follow = await t.app.inject({ method: 'POST', url, headers: t.auth('customerA'), payload: { body: 'It broke again' } });
    expect(follow.statusCode).toBe(201);
    const newKey = follow.json().follow_up.ticket as string;
    expect(follow.json()).toEqual({ follow_up: { ticket: newKey, of: ticket.key } });
    const events = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${newKey}/events`, headers: t.auth('customerA') })).json().items as Array<{ type: string; payload: Record<string, unknown> }>;
    expect(events.find((e) => e.type === 'ticket.created')?.payload.follow_up_of).toBe(ticket.key);
    const old = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/events`, headers: t.auth('customerA') })).json().items as Array<{ type: string; payload: Record<string, unknown> }>;
    expect(old.find((e) => e.type === 'ticket.followed_up')?.payload).toEqual({ follow_up: newKey });
  });
});
