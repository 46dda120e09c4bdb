/**
 * Outbound attachments over real SMTP: the email channel streams files into the mail, and the
 * dispatcher attaches a reply's public files (an outbox row naming `comment_id`), never an
 * internal note's.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addComment } from '../../src/app/add-comment.ts';
import { storeAttachment } from '../../src/app/attachments.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createDispatcher, type DispatcherDeps } from '../../src/notify/dispatcher.ts';
import { diskByteStore, type ByteStore } from '../../src/store/byte-store.ts';
import { newId } from '../../src/store/new-id.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast, writtenComment } from '../helpers/fixtures.ts';
import { outboxRow, queue } from './support/queue.ts';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Bytes that survive only if the transfer encoding is right: every byte value, then noise. */
const BINARY = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251))]);

describeStores('outbound mail attachments over real SMTP', (s) => {
  let sink: SmtpSink;
  let cast: Cast;
  let dir: string;
  let deps: ReturnType<typeof depsFor> & { files: ByteStore };
  let dispatcherDeps: DispatcherDeps;

  beforeAll(async () => {
    sink = await startSmtpSink();
    dir = mkdtempSync(join(tmpdir(), 'escalon-out-files-'));
    deps = { ...depsFor(s.store), attachmentLimit: 1024 * 1024, files: diskByteStore(dir) };
    cast = await makeCast(deps);
    dispatcherDeps = {
      store: s.store,
      clock: deps.clock,
      channels: { email: createEmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: 'escalon@support.example.com', timeoutMs: 5000 }) },
      links: { publicUrl: 'https://escalon.example.com' },
      files: deps.files,
      random: () => 1,
    };
  });
  afterAll(async () => {
    await dispatcherDeps.channels.email?.close?.();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the email channel streams an attachment into the mail with its bytes intact', async () => {
    const channel = dispatcherDeps.channels.email!;
    const before = sink.received.length;
    const outcome = await channel.deliver(
      {
        messageId: newId(),
        to: 'someone@example.com',
        subject: 'with a file',
        text: 'see attached',
        html: '<p>see attached</p>',
        data: {},
        ticketKey: null,
        attachments: [{ filename: 'data ü.bin', contentType: 'application/octet-stream', open: () => Readable.from([BINARY.subarray(0, 1000), BINARY.subarray(1000)]) }],
      },
      deps.clock.now(),
    );
    expect(outcome).toEqual({ kind: 'sent' });
    await sink.waitFor(before + 1);
    const got = sink.received[before]!.attachments;
    expect(got.map((a) => [a.filename, a.contentType, a.size])).toEqual([['data ü.bin', 'application/octet-stream', BINARY.length]]);
    expect(sha(got[0]!.content)).toBe(sha(BINARY));
  });

  it("a reply's public files go out with its mail; an internal note's files never do", async () => {
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 'Need the report', body: 'please' });
    const upload = async (name: string, bytes: Buffer) => (await storeAttachment(deps, deps.store.db, { uploadedBy: cast.actors.agent.userId, filename: name, content: Readable.from([bytes]) })).id;
    const report = await upload('report.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), BINARY]));
    const secret = await upload('internal.txt', Buffer.from('staff only'));
    const reply = await addComment(deps, cast.actors.agent, ticket.key, { body: 'Here is the report.', public: true, attachmentIds: [report] });
    const note = await addComment(deps, cast.actors.agent, ticket.key, { body: 'internal', public: false, attachmentIds: [secret] });
    const at = deps.clock.now();
    // The public reply queued its own row (to the requester); the internal note queued none.
    const replyRows = await s.store.db.selectFrom('outbox').select('id').where('comment_id', '=', writtenComment(reply).id).execute();
    expect(replyRows).toHaveLength(1);
    expect(await s.store.db.selectFrom('outbox').select('id').where('comment_id', '=', writtenComment(note).id).execute()).toEqual([]);
    const replyRow = replyRows[0]!.id;
    // even a row naming the internal note (a bug elsewhere) sends nothing: not a public reply
    const noteRow = await queueReply(ticket.id, writtenComment(note).id, at);
    const before = sink.received.length;
    await createDispatcher(dispatcherDeps).drain();
    await sink.waitFor(before + 1);
    const mails = sink.received.slice(before);
    const withFiles = mails.filter((m) => m.attachments.length > 0);
    expect(withFiles).toHaveLength(1);
    expect(withFiles[0]!.attachments.map((a) => [a.filename, a.contentType, sha(a.content)])).toEqual([['report.pdf', 'application/pdf', sha(Buffer.concat([Buffer.from('%PDF-1.4\n'), BINARY]))]]);
    expect(mails.flatMap((m) => m.attachments.map((a) => a.filename))).not.toContain('internal.txt');
    expect((await outboxRow(s.store, replyRow)).status).toBe('sent');
    expect(mails).toHaveLength(1);
    expect(await outboxRow(s.store, noteRow)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('is not a public comment') });
  });

  it('fails the row, clearly, when a file is missing from the store rather than mailing without it', async () => {
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 'Lost file', body: 'x' });
    const other = diskByteStore(mkdtempSync(join(tmpdir(), 'escalon-other-')));
    const a = await storeAttachment({ ...deps, files: other }, deps.store.db, { uploadedBy: cast.actors.agent.userId, filename: 'gone.txt', content: Readable.from([Buffer.from('only elsewhere')]) });
    const reply = await addComment(deps, cast.actors.agent, ticket.key, { body: 'file', public: true, attachmentIds: [a.id] });
    const id = await queueReply(ticket.id, writtenComment(reply).id, deps.clock.now());
    const before = sink.received.length;
    await createDispatcher(dispatcherDeps).drain();
    expect(sink.received.length).toBe(before);
    expect(await outboxRow(s.store, id)).toMatchObject({ status: 'failed', last_error: expect.stringContaining("attachment 'gone.txt'") });
  });

  async function queueReply(ticketId: string, commentId: string, at: number): Promise<string> {
    const id = await queue(s.store, { ticketId, recipient: `r-${newId()}@example.com`, template: 'idle-reminder', at, urgent: true });
    const row = await outboxRow(s.store, id);
    await s.store.db.updateTable('outbox').set({ payload: JSON.stringify({ ...JSON.parse(row.payload), kind: 'reply', comment_id: commentId }) }).where('id', '=', id).execute();
    return id;
  }
});
