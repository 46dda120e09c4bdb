/**
 * Attachments move out of the database: their bytes live in a content-addressed byte store
 * (store/byte-store.ts) and the table keeps only metadata. An upload exists before the comment
 * (or ticket) that references it, so `ticket_id` becomes nullable: null while pending.
 *
 * The old table held the bytes in a NOT NULL blob that no code path ever wrote; it is rebuilt
 * rather than altered (SQLite cannot drop NOT NULL in place). Should rows exist anyway (written
 * by hand), the migration refuses instead of losing them silently.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from attachments`.execute(db);
  const existing = Number(rows[0]?.n ?? 0);
  if (existing > 0) {
    throw new Error(`0010-attachments: the attachments table holds ${existing} row(s) written outside Escalon; export and delete them, then migrate again`);
  }
  await db.schema.dropTable('attachments').execute();
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.references('tickets.id'))
    .addColumn('comment_id', 'text', (c) => c.references('comments.id'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_ticket').on('attachments').columns(['ticket_id']).execute();
  await db.schema.createIndex('attachments_comment').on('attachments').columns(['comment_id']).execute();
  await db.schema.createIndex('attachments_pending').on('attachments').columns(['uploaded_by', 'ticket_id']).execute();
}
