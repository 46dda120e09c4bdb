/**
 * Policy history and post-resolution reviews. `policies.rollback_of`: the version a rollback
 * re-applied (null for an ordinary apply). `ticket_reviews`: one editable review per ticket —
 * root cause (a category of the policy's `root_causes`) and its text, what went well and
 * badly, follow-up actions (JSON: description, owner user id, due day, done); every save is
 * also a `review.recorded` event in the ticket's log. `ticket_facts.root_cause`: the latest
 * review's category, for the causes report. Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('policies').addColumn('rollback_of', 'integer').execute();
  await db.schema
    .createTable('ticket_reviews')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey().references('tickets.id'))
    .addColumn('root_cause', 'text', (c) => c.notNull())
    .addColumn('root_cause_detail', 'text', (c) => c.notNull())
    .addColumn('went_well', 'text', (c) => c.notNull())
    .addColumn('went_badly', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('ticket_facts').addColumn('root_cause', 'text').execute();
}
