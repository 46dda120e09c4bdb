/**
 * Escalation drills (docs/drills.md): their own tables, never `tickets`, the outbox or the
 * reporting rollups. `drills`: one run of a scenario against the policy version in force;
 * `drill_trainees`: who practises it; `drill_tickets`: the scenario's tickets (facts and
 * timeline as JSON) with what the policy does (`expected`, JSON); `drill_decisions`: one
 * decision per trainee and ticket, with its score. Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('drills')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('drill_trainees')
    .addColumn('drill_id', 'text', (c) => c.notNull().references('drills.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('drill_trainees_pk', ['drill_id', 'user_id'])
    .execute();
  await db.schema.createIndex('drill_trainees_user').on('drill_trainees').column('user_id').execute();
  await db.schema
    .createTable('drill_tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('drill_id', 'text', (c) => c.notNull().references('drills.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .addColumn('expected', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('drill_tickets_drill').on('drill_tickets').columns(['drill_id', 'position']).execute();
  await db.schema
    .createTable('drill_decisions')
    .addColumn('drill_ticket_id', 'text', (c) => c.notNull().references('drill_tickets.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('drill_id', 'text', (c) => c.notNull().references('drills.id'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('score', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('max_points', 'integer', (c) => c.notNull())
    .addColumn('decided_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('drill_decisions_pk', ['drill_ticket_id', 'user_id'])
    .execute();
  await db.schema.createIndex('drill_decisions_drill').on('drill_decisions').columns(['drill_id', 'user_id']).execute();
}
