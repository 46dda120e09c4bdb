/**
 * Attachments: upload (streamed into the byte store, type sniffed from the first bytes),
 * claiming by a ticket or comment, reading back. Access follows the ticket: a pending upload
 * is its uploader's alone; afterwards whoever sees the ticket sees it, except that an internal
 * note's files are staff-only. Anything not visible is reported exactly like a missing one.
 */
import { Transform, type Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { isStaff, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { SNIFF_BYTES, sniffContentType } from '../domain/sniff-content-type.ts';
import { attachmentsOfComment, claimAttachments, findAttachment, insertAttachment, listTicketAttachments, type Attachment } from '../store/attachments-repo.ts';
import type { ByteStore } from '../store/byte-store.ts';
import { insertComment } from '../store/comments-repo.ts';
import { newId } from '../store/new-id.ts';
import type { Database } from '../store/schema.ts';
import { findTicket } from '../store/tickets-repo.ts';
import type { AppDeps } from './deps.ts';
import { canSeeTicket, loadVisibleTicket } from './ticket-access.ts';

export const MAX_ATTACHMENTS_PER_MESSAGE = 20;

export function requireFiles(deps: AppDeps): ByteStore {
  if (!deps.files) throw new DomainError('SERVICE_UNAVAILABLE', 'attachments are not available: this process has no attachment store (ESCALON_ATTACHMENTS_DIR)', {});
  return deps.files;
}

const attachmentNotFound = (id: string) => new DomainError('ATTACHMENT_NOT_FOUND', `no attachment '${id}'`, { attachment: id });

/** A file name safe to keep and to send back: no path, no control characters, bounded. */
export function cleanFilename(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean;
}

/** Passes a stream through unchanged, keeping its first bytes for the sniffer. */
function keepHead(source: Readable): { stream: Transform; head: () => Uint8Array } {
  const parts: Buffer[] = [];
  let kept = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (kept < SNIFF_BYTES) {
        const part = chunk.subarray(0, SNIFF_BYTES - kept);
        parts.push(part);
        kept += part.length;
      }
      done(null, chunk);
    },
  });
  source.on('error', (err) => stream.destroy(err));
  source.pipe(stream);
  return { stream, head: () => Buffer.concat(parts) };
}

/**
 * Streams one file into the byte store and records it, pending or (for intake) already on
 * its ticket and comment. The content never sits whole in memory.
 */
export async function storeAttachment(
  deps: AppDeps,
  db: Kysely<Database>,
  input: { uploadedBy: string; filename: string | undefined; content: Readable; ticketId?: string; commentId?: string },
): Promise<Attachment> {
  const files = requireFiles(deps);
  const { stream, head } = keepHead(input.content);
  const stored = await files.put(stream, { limit: deps.attachmentLimit });
  const at = deps.clock.now();
  const attachment: Attachment = {
    id: newId(at),
    ticketId: input.ticketId ?? null,
    commentId: input.commentId ?? null,
    filename: cleanFilename(input.filename),
    contentType: sniffContentType(head()),
    size: stored.size,
    sha256: stored.sha256,
    uploadedBy: input.uploadedBy,
    createdAt: at,
  };
  await insertAttachment(db, attachment);
  return attachment;
}

/** An upload through the API: pending until a new ticket or a comment names it in `attachment_ids`. */
export function uploadAttachment(deps: AppDeps, actor: Actor, file: { filename: string | undefined; content: Readable }): Promise<Attachment> {
  return storeAttachment(deps, deps.store.db, { uploadedBy: actor.userId, filename: file.filename, content: file.content });
}

/** Inside the transaction that creates the ticket or comment: all named uploads, or an error. */
export async function claimUploads(db: Kysely<Database>, actor: Actor, ids: readonly string[] | undefined, target: { ticketId: string; commentId: string | null }): Promise<Attachment[]> {
  const unique = [...new Set(ids ?? [])];
  if (unique.length === 0) return [];
  if (unique.length > MAX_ATTACHMENTS_PER_MESSAGE) {
    throw new DomainError('VALIDATION_FAILED', `at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments per message`, { path: 'body.attachment_ids' });
  }
  const claimed = await claimAttachments(db, unique, { uploadedBy: actor.userId, ...target });
  if (claimed !== unique.length) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'attachment_ids: each must be an upload of yours not yet used on a ticket or comment (upload with POST /api/v1/attachments)',
      { path: 'body.attachment_ids', attachment_ids: unique },
    );
  }
  return target.commentId === null ? [] : attachmentsOfComment(db, target.commentId);
}

async function visibleAttachment(deps: AppDeps, actor: Actor, id: string): Promise<Attachment> {
  const db = deps.store.db;
  const a = await findAttachment(db, id);
  if (!a) throw attachmentNotFound(id);
  if (a.ticketId === null) {
    if (a.uploadedBy !== actor.userId) throw attachmentNotFound(id);
    return a;
  }
  const ticket = await findTicket(db, a.ticketId);
  if (!ticket || !canSeeTicket(actor, ticket)) throw attachmentNotFound(id);
  if (a.commentId !== null && !isStaff(actor.role)) {
    const c = await db.selectFrom('comments').select('public').where('id', '=', a.commentId).executeTakeFirst();
    if (c?.public !== 1) throw attachmentNotFound(id);
  }
  return a;
}

export async function openAttachment(deps: AppDeps, actor: Actor, id: string): Promise<{ attachment: Attachment; content: Readable }> {
  const files = requireFiles(deps);
  const attachment = await visibleAttachment(deps, actor, id);
  const content = await files.get(attachment.sha256);
  if (!content) throw new DomainError('INTERNAL', `the bytes of attachment '${id}' are missing from the attachment store`, { attachment: id });
  return { attachment, content };
}

export async function listAttachmentsOfTicket(deps: AppDeps, actor: Actor, ref: string): Promise<Attachment[]> {
  const ticket = await loadVisibleTicket(deps.store.db, actor, ref);
  return listTicketAttachments(deps.store.db, ticket.id, { includeInternal: isStaff(actor.role) });
}

/** A file arriving with a message (inbound mail), before it is stored. */
export interface IncomingFile {
  filename: string | undefined;
  /** The size the message declares, for the note when the file is dropped. */
  size?: number;
  open(): Readable;
}

export type PreparedFiles = {
  kept: Array<{ filename: string; contentType: string; sha256: string; size: number }>;
  dropped: Array<{ filename: string; size: number | undefined; reason: string }>;
};

/**
 * Streams a message's files into the byte store before its ticket or comment exists (an
 * unreferenced blob is harmless; a ticket without its files is not). A file over the limit
 * is dropped, not the message; `recordIncomingFiles` notes the drop for staff.
 */
export async function prepareIncomingFiles(deps: AppDeps, files: readonly IncomingFile[]): Promise<PreparedFiles> {
  const out: PreparedFiles = { kept: [], dropped: [] };
  for (const f of files.slice(0, MAX_ATTACHMENTS_PER_MESSAGE)) {
    const filename = cleanFilename(f.filename);
    if (!deps.files) {
      out.dropped.push({ filename, size: f.size, reason: 'this intake has no attachment store' });
      continue;
    }
    const { stream, head } = keepHead(f.open());
    try {
      const stored = await deps.files.put(stream, { limit: deps.attachmentLimit });
      out.kept.push({ filename, contentType: sniffContentType(head()), ...stored });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'PAYLOAD_TOO_LARGE')) throw err;
      out.dropped.push({ filename, size: f.size, reason: `larger than the limit of ${deps.attachmentLimit} bytes (ESCALON_ATTACHMENT_LIMIT)` });
    }
  }
  for (const f of files.slice(MAX_ATTACHMENTS_PER_MESSAGE)) {
    out.dropped.push({ filename: cleanFilename(f.filename), size: f.size, reason: `more than ${MAX_ATTACHMENTS_PER_MESSAGE} files in one message` });
  }
  return out;
}

/** Records prepared files on their ticket (and comment), and one internal note naming any dropped file. */
export async function recordIncomingFiles(deps: AppDeps, sender: Actor, target: { ticketId: string; commentId: string | null }, files: PreparedFiles): Promise<void> {
  if (files.kept.length === 0 && files.dropped.length === 0) return;
  const at = deps.clock.now();
  await deps.store.db.transaction().execute(async (trx) => {
    for (const k of files.kept) {
      await insertAttachment(trx, { id: newId(at), ticketId: target.ticketId, commentId: target.commentId, filename: k.filename, contentType: k.contentType, size: k.size, sha256: k.sha256, uploadedBy: sender.userId, createdAt: at });
    }
    if (files.dropped.length === 0) return;
    const lines = files.dropped.map((d) => `- ${d.filename}${d.size !== undefined ? ` (${d.size} bytes)` : ''}: ${d.reason}`);
    // Written by the system on the sender's message, never shown to the customer.
    await insertComment(trx, {
      id: newId(at),
      ticketId: target.ticketId,
      authorId: sender.userId,
      authorRole: 'system',
      public: false,
      body: `Attachments of ${sender.email}'s message that were not kept:\n${lines.join('\n')}\nAsk the sender for them another way if they matter.`,
      createdAt: at,
    });
  });
}
