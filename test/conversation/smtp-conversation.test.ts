/**
 * The customer conversation end to end over real SMTP, both ways: the customer mails the real
 * intake listener (with a CC), staff reply publicly (and write an internal note meanwhile),
 * the dispatcher delivers to a real SMTP sink; the customer answers by mail to the signed
 * reply address after the ticket is solved (it reopens) and after it is closed (a new linked
 * ticket opens). Under the reference policy, so the live engine decides the status moves.
 */
import type { ParsedMail } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addComment } from '../../src/app/add-comment.ts';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { updateTicket } from '../../src/app/update-ticket.ts';
import type { IntakeResult } from '../../src/intake/receive-message.ts';
import { startSmtpListener, type SmtpListener } from '../../src/intake/smtp-listener.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createDispatcher, type DispatcherDeps } from '../../src/notify/dispatcher.ts';
import { replyAddress } from '../../src/notify/signed-links.ts';
import { listCcs } from '../../src/store/ccs-repo.ts';
import { listEvents } from '../../src/store/events-repo.ts';
import { findTicket } from '../../src/store/tickets-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { startSmtpSink, type SmtpSink } from '../notify/support/smtp-sink.ts';

const SECRET = 'conversation-secret-0123456789abcdef0123';
const DOMAIN = 'support.example.com';
const CC = 'pat.colleague@acme.example';

const addresses = (a: ParsedMail['to']) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address));
const refs = (m: ParsedMail) => (Array.isArray(m.references) ? m.references : m.references ? [m.references] : []);

describeStores('the conversation over real SMTP', (s) => {
  let sink: SmtpSink;
  let listener: SmtpListener;
  let client: Transporter;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let dispatcherDeps: DispatcherDeps;
  const results: IntakeResult[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    deps = depsFor(s.store);
    deps.clock.set(Date.parse('2026-12-01T15:00:00Z'));
    cast = await makeCast(deps);
    await applyPolicy(deps, cast.actors.admin, REFERENCE_POLICY, 'yaml');
    listener = await startSmtpListener(deps, { host: '127.0.0.1', port: 0, domain: DOMAIN, maxBytes: 64 * 1024, secret: SECRET, onResult: (r) => results.push(r) });
    client = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
    dispatcherDeps = {
      store: s.store,
      clock: deps.clock,
      channels: { email: createEmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: `help@${DOMAIN}`, timeoutMs: 5000 }) },
      links: { publicUrl: 'https://escalon.example.com', secret: SECRET, replyDomain: DOMAIN },
      random: () => 1,
    };
  });
  afterAll(async () => {
    client.close();
    await listener.close();
    await dispatcherDeps.channels.email?.close?.();
    await sink.close();
  });

  async function deliver(): Promise<void> {
    const before = sink.received.length;
    const n = await createDispatcher(dispatcherDeps).drain();
    const sent = await s.store.db.selectFrom('outbox').select('id').where('status', '=', 'sent').where('sent_at', '=', deps.clock.now()).execute();
    if (n > 0) await sink.waitFor(before + sent.length);
  }

  it('mail in with a CC → staff reply threaded to customer and CC, note to nobody → solved reopens → closed opens a linked follow-up', async () => {
    const customer = cast.actors.customerA;
    // 1. The customer writes in, copying a colleague.
    await client.sendMail({ from: `Casey <${customer.email}>`, to: `help@${DOMAIN}`, cc: [CC, `other@${DOMAIN}`], subject: 'Invoices missing', text: 'No invoices since May.', messageId: '<first@acme.example>' });
    const created = results.at(-1);
    expect(created?.kind).toBe('created');
    const key = created!.kind === 'duplicate' ? '' : created!.ticketKey;
    const ticket = (await findTicket(s.store.db, key))!;
    expect(await listCcs(s.store.db, ticket.id)).toEqual([CC]);
    await deliver(); // whatever the policy sends on creation
    const mark = sink.received.length;

    // 2. An agent replies publicly, and writes an internal note meanwhile.
    deps.clock.advance(10 * 60_000);
    await addComment(deps, cast.actors.agent, key, { body: 'Secret: the billing export job is broken.', public: false });
    await addComment(deps, cast.actors.agent, key, { body: 'We found it: your invoices are on their way.\nSorry for the wait.', public: true });
    await deliver();
    const mails = sink.received.slice(mark);
    const replies = mails.filter((m) => m.text?.includes('We found it'));
    expect(replies.map((m) => addresses(m.to)).sort()).toEqual([[CC], [customer.email]].sort());
    for (const m of replies) {
      expect(m.subject).toBe(`[${key}] Re: Invoices missing`);
      expect(m.inReplyTo).toBe('<first@acme.example>');
      expect(refs(m)).toEqual([`<ticket-${ticket.id}@${DOMAIN}>`, '<first@acme.example>']);
      expect(addresses(m.replyTo)).toEqual([replyAddress(SECRET, key, DOMAIN)]);
      expect(m.headers.get('auto-submitted')).toBeUndefined();
    }
    // The internal note reached nobody, in any mail.
    expect(sink.received.some((m) => `${m.subject ?? ''}${m.text ?? ''}${String(m.html)}`.includes('billing export job'))).toBe(false);

    // 3. Solved; the customer answers by mail to the reply address: it reopens.
    deps.clock.advance(60 * 60_000);
    await updateTicket(deps, cast.actors.agent, key, { status: 'solved' });
    await deliver();
    const answerTo = addresses(replies[0]!.replyTo)[0]!;
    await client.sendMail({ from: customer.email, to: answerTo, subject: `Re: [${key}] Re: Invoices missing`, text: 'Still one invoice missing.\n\nOn Tue, Escalon wrote:\n> We found it', inReplyTo: replies[0]!.messageId!, messageId: '<second@acme.example>' });
    const reopened = (await findTicket(s.store.db, key))!;
    expect(reopened.status).toBe('open');
    expect(reopened.reopens).toBe(1);
    const events = await listEvents(s.store.db, ticket.id, { includeInternal: true });
    expect(events.filter((e) => e.type === 'status.changed').at(-1)?.payload).toMatchObject({ from: 'solved', to: 'open', automatic: true });
    // No echo: the customer's own message is not mailed back to them, nor to the CC.
    const afterReopen = sink.received.length;
    await deliver();
    expect(sink.received.slice(afterReopen).some((m) => m.text?.includes('Still one invoice missing'))).toBe(false);

    // The next staff reply threads under the customer's latest mail.
    await addComment(deps, cast.actors.agent, key, { body: 'Sent the last one too.', public: true });
    await deliver();
    const second = sink.received.filter((m) => m.text?.includes('Sent the last one too'));
    expect(second).toHaveLength(2);
    expect(second[0]!.inReplyTo).toBe('<second@acme.example>');
    expect(refs(second[0]!)).toEqual([`<ticket-${ticket.id}@${DOMAIN}>`, '<first@acme.example>', '<second@acme.example>']);

    // 4. Solved and closed; the customer writes again: a new ticket, linked both ways.
    await updateTicket(deps, cast.actors.agent, key, { status: 'solved' });
    await updateTicket(deps, cast.actors.agent, key, { status: 'closed' });
    await client.sendMail({ from: customer.email, to: answerTo, subject: `Re: [${key}] Invoices missing`, text: 'Now the June invoice is wrong.', messageId: '<third@acme.example>' });
    const follow = results.at(-1);
    expect(follow).toMatchObject({ kind: 'follow_up', followUpOf: key });
    const next = (await findTicket(s.store.db, follow!.kind === 'follow_up' ? follow!.ticketKey : ''))!;
    expect(next).toMatchObject({ status: 'new', body: 'Now the June invoice is wrong.', subject: 'Invoices missing', requesterId: customer.userId });
    expect((await findTicket(s.store.db, key))!.status).toBe('closed');
    const row = await s.store.db.selectFrom('tickets').select('follow_up_of').where('id', '=', next.id).executeTakeFirstOrThrow();
    expect(row.follow_up_of).toBe(ticket.id);
    expect(await listCcs(s.store.db, next.id)).toEqual([CC]);
    const created2 = (await listEvents(s.store.db, next.id, { includeInternal: false })).find((e) => e.type === 'ticket.created');
    expect(created2?.payload.follow_up_of).toBe(key);
    const linked = (await listEvents(s.store.db, ticket.id, { includeInternal: false })).find((e) => e.type === 'ticket.followed_up');
    expect(linked?.payload).toEqual({ follow_up: next.key });
  });
});
