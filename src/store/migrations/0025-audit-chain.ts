/**
 * Issue 16, tamper-evident audit and personal-data erasure (docs/security.md):
 *   - events.seq / events.hash: the event's position in its ticket's chain and its chained HMAC
 *     (store/audit-chain.ts); events.erased: the digests of strings erased from it (JSON, null
 *     when nothing was erased);
 *   - tickets.audit_seq / tickets.audit_head: the chain head, read and moved on under the
 *     ticket's row lock by every write of events (app/write-set.ts);
 *   - audit_anchors: a hash over every ticket's head at a moment, with the positions it covers;
 *   - users.erased_at: when a requester's personal data was erased.
 * Existing events are chained here, per ticket in (recorded_at, at, id) order — the order they
 * were written in — with the key of ESCALON_SECRET as set when the migration runs.
 */
import type { Kysely } from 'kysely';
import { backfillChains } from '../audit-repo.ts';
import type { Database } from '../schema.ts';

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.alterTable('events').addColumn('seq', 'bigint').execute();
  await db.schema.alterTable('events').addColumn('hash', 'text').execute();
  await db.schema.alterTable('events').addColumn('erased', 'text').execute();
  await db.schema
    .alterTable('tickets')
    .addColumn('audit_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('tickets').addColumn('audit_head', 'text').execute();
  await db.schema.alterTable('users').addColumn('erased_at', 'bigint').execute();
  await db.schema
    .createTable('audit_anchors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('tickets', 'bigint', (c) => c.notNull())
    .addColumn('events', 'bigint', (c) => c.notNull())
    .addColumn('heads', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_anchors_hash').on('audit_anchors').columns(['hash']).execute();
  await backfillChains(db as unknown as Kysely<Database>, dialect);
}
