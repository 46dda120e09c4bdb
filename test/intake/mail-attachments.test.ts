/**
 * Inbound mail attachments over real SMTP: kept (bytes intact, type sniffed) on the ticket a
 * new mail opens or on the comment a reply adds; one over the attachment limit is dropped and
 * named in an internal note while the mail itself is accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { startSmtpListener, type SmtpListener } from '../../src/intake/smtp-listener.ts';
import { replyAddress } from '../../src/notify/signed-links.ts';
import { attachmentsOfComment, listTicketAttachments } from '../../src/store/attachments-repo.ts';
import { diskByteStore, type ByteStore } from '../../src/store/byte-store.ts';
import { listComments } from '../../src/store/comments-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

const SECRET = 'intake-secret-0123456789abcdef0123456789';
const DOMAIN = 'support.example.com';
const LIMIT = 4 * 1024;
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 0x20)]);

describeStores('inbound mail attachments', (s) => {
  let listener: SmtpListener;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor> & { files: ByteStore };
  let client: Transporter;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'escalon-mail-files-'));
    deps = { ...depsFor(s.store), attachmentLimit: LIMIT, files: diskByteStore(dir) };
    cast = await makeCast(deps);
    listener = await startSmtpListener(deps, { host: '127.0.0.1', port: 0, domain: DOMAIN, maxBytes: 256 * 1024, secret: SECRET, defaultOrganizationId: cast.orgB });
    client = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    client.close();
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bytesOf = async (sha: string) => buffer((await deps.files.get(sha)) as Readable);
  const ticketOf = async (messageId: string) =>
    (await s.store.db.selectFrom('inbound_messages').select(['ticket_id', 'comment_id']).where('external_id', '=', messageId).executeTakeFirstOrThrow());

  it("a new mail's attachment is kept on the ticket it opens, bytes intact and typed by content", async () => {
    await client.sendMail({
      from: cast.actors.customerA.email,
      to: `help@${DOMAIN}`,
      subject: 'Invoice wrong',
      text: 'See the attached invoice.',
      messageId: '<att-1@customer.example>',
      attachments: [{ filename: 'invoice ü.pdf', content: PDF, contentType: 'application/octet-stream' }],
    });
    const row = await ticketOf('<att-1@customer.example>');
    const files = await listTicketAttachments(s.store.db, row.ticket_id as string, { includeInternal: false });
    expect(files.map((f) => [f.filename, f.contentType, f.size, f.commentId, f.uploadedBy])).toEqual([['invoice ü.pdf', 'application/pdf', PDF.length, null, cast.actors.customerA.userId]]);
    expect((await bytesOf(files[0]!.sha256)).equals(PDF)).toBe(true);
  });

  it("a reply's attachment belongs to the comment the reply adds", async () => {
    const t = (await createTicket(deps, cast.actors.customerA, { subject: 'Logs', body: 'x' })).ticket;
    const log = Buffer.from('line 1\nline 2\n');
    await client.sendMail({
      from: cast.actors.customerA.email,
      to: replyAddress(SECRET, t.key, DOMAIN),
      subject: 'Re: Logs',
      text: 'Here are the logs.',
      messageId: '<att-2@customer.example>',
      attachments: [{ filename: 'app.log', content: log }],
    });
    const row = await ticketOf('<att-2@customer.example>');
    expect(row.ticket_id).toBe(t.id);
    const files = await attachmentsOfComment(s.store.db, row.comment_id as string);
    expect(files.map((f) => [f.filename, f.contentType, f.ticketId])).toEqual([['app.log', 'text/plain; charset=utf-8', t.id]]);
    expect((await bytesOf(files[0]!.sha256)).equals(log)).toBe(true);
  });

  it('an attachment over the limit is dropped and named in an internal note; the mail and its other files are kept', async () => {
    const info = await client.sendMail({
      from: cast.actors.customerA.email,
      to: `help@${DOMAIN}`,
      subject: 'Huge dump',
      text: 'Dump attached.',
      messageId: '<att-3@customer.example>',
      attachments: [
        { filename: 'core.dump', content: Buffer.alloc(LIMIT + 1, 1) },
        { filename: 'small.txt', content: Buffer.from('small') },
      ],
    });
    expect(info.accepted).toEqual([`help@${DOMAIN}`]);
    const row = await ticketOf('<att-3@customer.example>');
    const ticketId = row.ticket_id as string;
    expect((await listTicketAttachments(s.store.db, ticketId, { includeInternal: true })).map((f) => f.filename)).toEqual(['small.txt']);
    const notes = await listComments(s.store.db, ticketId, { includeInternal: true });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ public: false, authorRole: 'system' });
    expect(notes[0]!.body).toContain(`core.dump (${LIMIT + 1} bytes): larger than the limit of ${LIMIT} bytes (ESCALON_ATTACHMENT_LIMIT)`);
    expect(await listComments(s.store.db, ticketId, { includeInternal: false })).toEqual([]);
  });
});
