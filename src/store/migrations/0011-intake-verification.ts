/**
 * Web-form messages held until the sender confirms their address: a message that claims the
 * address of an existing account waits here (with the digest of its confirmation token) and
 * becomes a ticket only when the emailed link is followed. Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('intake_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('client_ip', 'text')
    .addColumn('token_digest', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.references('tickets.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .execute();
  await db.schema.createIndex('intake_holds_email').on('intake_holds').columns(['email', 'created_at']).execute();
  await db.schema.createIndex('intake_holds_expiry').on('intake_holds').columns(['status', 'expires_at']).execute();
}
