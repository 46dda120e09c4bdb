/**
 * Live risk scoring (issue 14): the requester's profile is read on every scored change (their
 * tickets: open now, created in the last 90 days, breached, escalated), so tickets are indexed
 * by requester and opening. Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('tickets_requester_created').on('tickets').columns(['requester_id', 'created_at']).execute();
}
