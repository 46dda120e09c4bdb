/**
 * Attachment metadata (the bytes are in the byte store under `sha256`). An attachment is
 * pending (no ticket) from upload until a ticket or comment claims it; then it belongs to the
 * ticket's opening message (no comment) or to one comment, and is seen by whoever sees that.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AttachmentsTable, Database } from './schema.ts';

type Db = Kysely<Database>;

export interface Attachment {
  id: string;
  ticketId: string | null;
  commentId: string | null;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: number;
}

function fromRow(r: Selectable<AttachmentsTable>): Attachment {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    commentId: r.comment_id,
    filename: r.filename,
    contentType: r.content_type,
    size: Number(r.size),
    sha256: r.sha256,
    uploadedBy: r.uploaded_by,
    createdAt: Number(r.created_at),
  };
}

export async function insertAttachment(db: Db, a: Attachment): Promise<void> {
  await db
    .insertInto('attachments')
    .values({
      id: a.id,
      ticket_id: a.ticketId,
      comment_id: a.commentId,
      filename: a.filename,
      content_type: a.contentType,
      size: a.size,
      sha256: a.sha256,
      uploaded_by: a.uploadedBy,
      created_at: a.createdAt,
    })
    .execute();
}

export async function findAttachment(db: Db, id: string): Promise<Attachment | null> {
  const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : null;
}

/**
 * Claims an uploader's pending attachments for a ticket (and comment). Returns how many were
 * claimed: fewer than asked means some id is unknown, someone else's, or already used.
 */
export async function claimAttachments(db: Db, ids: readonly string[], by: { uploadedBy: string; ticketId: string; commentId: string | null }): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await db
    .updateTable('attachments')
    .set({ ticket_id: by.ticketId, comment_id: by.commentId })
    .where('id', 'in', ids)
    .where('uploaded_by', '=', by.uploadedBy)
    .where('ticket_id', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** A ticket's attachments; without internal ones, those of internal notes are left out. */
export async function listTicketAttachments(db: Db, ticketId: string, opts: { includeInternal: boolean }): Promise<Attachment[]> {
  let q = db.selectFrom('attachments').leftJoin('comments', 'comments.id', 'attachments.comment_id').selectAll('attachments').where('attachments.ticket_id', '=', ticketId);
  if (!opts.includeInternal) q = q.where((eb) => eb.or([eb('attachments.comment_id', 'is', null), eb('comments.public', '=', 1)]));
  const rows = await q.orderBy('attachments.created_at').orderBy('attachments.id').execute();
  return rows.map(fromRow);
}

/** The attachments of one comment, oldest first (the dispatcher attaches them to a reply mail). */
export async function attachmentsOfComment(db: Db, commentId: string): Promise<Attachment[]> {
  const rows = await db.selectFrom('attachments').selectAll().where('comment_id', '=', commentId).orderBy('created_at').orderBy('id').execute();
  return rows.map(fromRow);
}

/** The files of a public comment (none for an internal note): what may go out with a reply. */
export async function publicAttachmentsOfComment(db: Db, commentId: string): Promise<Attachment[]> {
  const rows = await db
    .selectFrom('attachments')
    .innerJoin('comments', 'comments.id', 'attachments.comment_id')
    .selectAll('attachments')
    .where('attachments.comment_id', '=', commentId)
    .where('comments.public', '=', 1)
    .orderBy('attachments.created_at')
    .orderBy('attachments.id')
    .execute();
  return rows.map(fromRow);
}
