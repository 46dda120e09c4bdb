/**
 * The live engine (issue 4): applied policy versions, and leases on timers so that several
 * scheduler processes on one PostgreSQL database share the work without firing twice.
 * Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('policies')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .addColumn('applied_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('timers').addColumn('lease_owner', 'text').execute();
  await db.schema.alterTable('timers').addColumn('lease_until', 'bigint').execute();
  // Queue views read these instead of parsing engine_state: escalations so far, whether the
  // latest escalation waits for acknowledgement, and the next SLA moment (warning or breach).
  await db.schema.alterTable('tickets').addColumn('escalations', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('tickets').addColumn('ack_pending', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('tickets').addColumn('next_sla_at', 'bigint').execute();
  await db.schema.createIndex('tickets_next_sla').on('tickets').columns(['next_sla_at']).execute();
  await db.schema.createIndex('tickets_team_level').on('tickets').columns(['team', 'level', 'status']).execute();
}
