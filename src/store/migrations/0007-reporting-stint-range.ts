/**
 * Reporting (issue 6): each stint carries its ticket's creation instant, indexed, so that a
 * period's stints are read by range without joining ticket_facts (the join made PostgreSQL
 * hash the whole stints table: 2.8 s at a million tickets). Existing rows are filled from
 * ticket_facts. Forward only.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ticket_stints').addColumn('ticket_created_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update ticket_stints set ticket_created_at = coalesce((select f.created_at from ticket_facts f where f.ticket_id = ticket_stints.ticket_id), 0)`.execute(db);
  await db.schema.createIndex('ticket_stints_created').on('ticket_stints').columns(['ticket_created_at']).execute();
}
