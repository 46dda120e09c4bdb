/**
 * The customer conversation: CCs kept on a ticket, the follow-up link from a new ticket to the
 * closed one it continues, the comment an outbox row delivers (a reply's delivery state), and
 * where an inbound provider message came from (to answer through the same provider). Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ticket_ccs')
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_ccs_pk', ['ticket_id', 'address'])
    .execute();
  await db.schema.alterTable('tickets').addColumn('follow_up_of', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('comment_id', 'text').execute();
  await db.schema.createIndex('outbox_comment').on('outbox').columns(['comment_id']).execute();
  await db.schema.alterTable('inbound_messages').addColumn('source', 'text').execute();
  await db.schema.alterTable('inbound_messages').addColumn('reply_to', 'text').execute();
}
