/**
 * The customer conversation end to end over real SMTP, both ways, with files: the customer
 * mails the real intake listener (with a CC and an attachment), staff reply publicly with a
 * file uploaded through the API (and write an internal note with its own file meanwhile), the
 * dispatcher delivers to a real SMTP sink; the customer answers by mail to the signed reply
 * address after the ticket is solved (it reopens) and after it is closed (a new linked ticket
 * opens). Under the reference policy, so the live engine decides the status moves.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { updateTicket } from '../../src/app/update-ticket.ts';
import type { IntakeResult } from '../../src/intake/receive-message.ts';
import { startSmtpListener, type SmtpListener } from '../../src/intake/smtp-listener.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createDispatcher, type DispatcherDeps } from '../../src/notify/dispatcher.ts';
import { replyAddress } from '../../src/notify/signed-links.ts';
import { diskByteStore } from '../../src/store/byte-store.ts';
import { listCcs } from '../../src/store/ccs-repo.ts';
import { listEvents } from '../../src/store/events-repo.ts';
import { findTicket } from '../../src/store/tickets-repo.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';
import type { Cast } from '../helpers/fixtures.ts';
import { multipart, type FilePart } from '../helpers/multipart.ts';
import { startSmtpSink, type SmtpSink } from '../notify/support/smtp-sink.ts';

const SECRET = 'conversation-secret-0123456789abcdef0123';
const DOMAIN = 'support.example.com';
const CC = 'pat.colleague@acme.example';
const LIMIT = 1024 * 1024;

const addresses = (a: ParsedMail['to']) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address));
const refs = (m: ParsedMail) => (Array.isArray(m.references) ? m.references : m.references ? [m.references] : []);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Bytes that survive only if every transfer encoding on the way is right: every byte value, then noise. */
const binary = (seed: number, size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i < 256 ? i : (i * seed) % 251)));
const INVOICE = Buffer.concat([Buffer.from('%PDF-1.4\n'), binary(7919, 120_000)]);
const STATEMENT = Buffer.concat([Buffer.from('%PDF-1.4\n'), binary(104_729, 200_000)]);
const EXPORT_LOG = Buffer.from('export job failed at row 4711: NULL currency\n');

interface AttachmentWire {
  id: string;
  comment_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
}

describeStores('the conversation over real SMTP', (s) => {
  let sink: SmtpSink;
  let listener: SmtpListener;
  let client: Transporter;
  let t: TestApp;
  let cast: Cast;
  let deps: TestApp['deps'];
  let dir: string;
  let dispatcherDeps: DispatcherDeps;
  const results: IntakeResult[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    dir = mkdtempSync(join(tmpdir(), 'escalon-conversation-'));
    const files = diskByteStore(dir);
    t = await makeTestApp(s.store, { files, attachmentLimit: LIMIT });
    ({ cast, deps } = t);
    deps.clock.set(Date.parse('2026-12-01T15:00:00Z'));
    await applyPolicy(deps, cast.actors.admin, REFERENCE_POLICY, 'yaml');
    listener = await startSmtpListener(deps, { host: '127.0.0.1', port: 0, domain: DOMAIN, maxBytes: 2 * LIMIT, secret: SECRET, onResult: (r) => results.push(r) });
    client = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
    dispatcherDeps = {
      store: s.store,
      clock: deps.clock,
      channels: { email: createEmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: `help@${DOMAIN}`, timeoutMs: 5000 }) },
      links: { publicUrl: 'https://escalon.example.com', secret: SECRET, replyDomain: DOMAIN },
      files,
      random: () => 1,
    };
  });
  afterAll(async () => {
    client.close();
    await listener.close();
    await dispatcherDeps.channels.email?.close?.();
    await sink.close();
    await t.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function deliver(): Promise<void> {
    const before = sink.received.length;
    const n = await createDispatcher(dispatcherDeps).drain();
    const sent = await s.store.db.selectFrom('outbox').select('id').where('status', '=', 'sent').where('sent_at', '=', deps.clock.now()).execute();
    if (n > 0) await sink.waitFor(before + sent.length);
  }

  async function upload(who: Person, file: FilePart): Promise<AttachmentWire> {
    const { payload, headers } = multipart([file]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/attachments', payload, headers: { ...headers, ...t.auth(who) } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ items: AttachmentWire[] }>().items[0]!;
  }
  async function comment(who: Person, key: string, body: { body: string; public: boolean; attachment_ids?: string[] }): Promise<void> {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${key}/comments`, headers: t.auth(who), payload: body });
    expect(res.statusCode, res.body).toBe(201);
  }
  async function attachmentsOf(who: Person, key: string): Promise<AttachmentWire[]> {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/attachments`, headers: t.auth(who) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: AttachmentWire[] }>().items;
  }
  async function download(who: Person, id: string): Promise<Buffer> {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${id}`, headers: t.auth(who) });
    expect(res.statusCode, res.body).toBe(200);
    return res.rawPayload;
  }
  /** The readable parts of a mail: subject, text and html. */
  const mailContent = (m: ParsedMail) => `${m.subject ?? ''}${m.text ?? ''}${String(m.html)}`;

  it('mail in with a CC and a file → staff reply with a file, threaded to customer and CC, note and its file to nobody → solved reopens → closed opens a linked follow-up', async () => {
    const customer = cast.actors.customerA;
    // 1. The customer writes in, copying a colleague, with the invoice attached.
    await client.sendMail({
      from: `Casey <${customer.email}>`,
      to: `help@${DOMAIN}`,
      cc: [CC, `other@${DOMAIN}`],
      subject: 'Invoices missing',
      text: 'No invoices since May. The last one is attached.',
      messageId: '<first@acme.example>',
      attachments: [{ filename: 'invoice-april.pdf', content: INVOICE, contentType: 'application/octet-stream' }],
    });
    const created = results.at(-1);
    expect(created?.kind).toBe('created');
    const key = created!.kind === 'duplicate' ? '' : created!.ticketKey;
    const ticket = (await findTicket(s.store.db, key))!;
    expect(await listCcs(s.store.db, ticket.id)).toEqual([CC]);
    // The file is on the ticket (its opening message), for staff and for the customer, bytes intact.
    for (const who of ['agent', 'customerA'] as const) {
      const listed = await attachmentsOf(who, key);
      expect(listed.map((a) => [a.filename, a.content_type, a.size, a.comment_id, a.sha256])).toEqual([['invoice-april.pdf', 'application/pdf', INVOICE.length, null, sha(INVOICE)]]);
      expect(sha(await download(who, listed[0]!.id))).toBe(sha(INVOICE));
    }
    await deliver(); // whatever the policy sends on creation
    const mark = sink.received.length;

    // 2. An agent writes an internal note with the failing export's log, and replies publicly
    //    with the corrected statement; both files uploaded through the API.
    deps.clock.advance(10 * 60_000);
    const log = await upload('agent', { filename: 'export-job.log', content: EXPORT_LOG });
    await comment('agent', key, { body: 'Secret: the billing export job is broken.', public: false, attachment_ids: [log.id] });
    const statement = await upload('agent', { filename: 'statement-may.pdf', content: STATEMENT });
    await comment('agent', key, { body: 'We found it: your invoices are on their way.\nSorry for the wait.', public: true, attachment_ids: [statement.id] });
    await deliver();
    const mails = sink.received.slice(mark);
    const replies = mails.filter((m) => m.text?.includes('We found it'));
    // One mail each to the customer and to the CC.
    expect(replies.map((m) => addresses(m.to)).sort()).toEqual([[CC], [customer.email]].sort());
    for (const m of replies) {
      expect(m.subject).toBe(`[${key}] Re: Invoices missing`);
      expect(m.inReplyTo).toBe('<first@acme.example>');
      expect(refs(m)).toEqual([`<ticket-${ticket.id}@${DOMAIN}>`, '<first@acme.example>']);
      expect(addresses(m.replyTo)).toEqual([replyAddress(SECRET, key, DOMAIN)]);
      expect(m.headers.get('auto-submitted')).toBeUndefined();
      // The reply's file, and only it, with every byte intact.
      expect(m.attachments.map((a) => [a.filename, a.contentType, a.size, sha(a.content)])).toEqual([['statement-may.pdf', 'application/pdf', STATEMENT.length, sha(STATEMENT)]]);
    }
    // Nobody got anything else about the reply: no second copy, no other mail to customer or CC.
    expect(mails.filter((m) => addresses(m.to).some((a) => a === CC || a === customer.email))).toHaveLength(2);
    // The internal note reached nobody, in any mail, neither its text nor its file.
    expect(sink.received.some((m) => mailContent(m).includes('billing export job'))).toBe(false);
    expect(sink.received.flatMap((m) => m.attachments).some((a) => a.filename === 'export-job.log' || sha(a.content) === sha(EXPORT_LOG))).toBe(false);
    // Staff see both files on the ticket; the customer sees the reply's, never the note's.
    expect((await attachmentsOf('agent', key)).map((a) => a.filename).sort()).toEqual(['export-job.log', 'invoice-april.pdf', 'statement-may.pdf']);
    expect((await attachmentsOf('customerA', key)).map((a) => a.filename).sort()).toEqual(['invoice-april.pdf', 'statement-may.pdf']);
    const noteFile = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${log.id}`, headers: t.auth('customerA') });
    expect(noteFile.statusCode).toBe(404);

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
    await comment('agent', key, { body: 'Sent the last one too.', public: true });
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
    expect(next.channel).toBe('email'); // it came by mail, whatever the closed ticket's channel
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
