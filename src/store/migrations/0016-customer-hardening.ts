/**
 * Signed intake webhooks (issue 12): the Standard Webhooks ids a source has delivered, so a
 * replayed request (same source and webhook-id within the timestamp tolerance) is refused.
 * Rows older than the tolerance are pruned as new ones arrive. Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('intake_webhook_ids')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('intake_webhook_ids_pk', ['source', 'webhook_id'])
    .execute();
  await db.schema.createIndex('intake_webhook_ids_signed').on('intake_webhook_ids').column('signed_at').execute();
}
