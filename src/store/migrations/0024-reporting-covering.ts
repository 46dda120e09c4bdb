/**
 * Reporting at a million tickets (issue 15): the range indexes a report reads become covering
 * indexes, so that a period's stints (groups, percentiles, causes), its solved tickets and its
 * created tickets' trend rows are read from the index alone, without one table look-up per
 * row. Each replaces the index with the same leading column (the number of indexes a write
 * maintains does not change). Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('ticket_stints_created').execute();
  await db.schema
    .createIndex('ticket_stints_created_cover')
    .on('ticket_stints')
    .columns([
      'ticket_created_at',
      'kind',
      'key',
      'entered_by',
      'left_by',
      'left_at',
      'active_since',
      'held_ms',
      'breaches',
      'ticket_id',
      'reason',
      'rule',
    ])
    .execute();
  await db.schema.dropIndex('ticket_facts_solved').execute();
  await db.schema
    .createIndex('ticket_facts_solved_cover')
    .on('ticket_facts')
    .columns(['solved_at', 'first_escalated_at', 'escalations', 'solved_level', 'public_agent_replies'])
    .execute();
  await db.schema.dropIndex('ticket_facts_created').execute();
  await db.schema
    .createIndex('ticket_facts_created_cover')
    .on('ticket_facts')
    .columns(['created_at', 'first_escalated_at', 'root_cause'])
    .execute();
}
