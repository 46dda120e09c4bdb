/**
 * Quiet notifications: the hash of what a sent message said (an identical message to the same
 * address within the merge window is not sent twice); people's phone numbers (SMS recipients)
 * and time zones (due times in a notice are shown in the recipient's zone). Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('content_hash', 'text').execute();
  await db.schema.alterTable('users').addColumn('phone', 'text').execute();
  await db.schema.alterTable('users').addColumn('time_zone', 'text').execute();
  await db.schema.createIndex('outbox_status_channel').on('outbox').columns(['status', 'channel', 'created_at']).execute();
}
