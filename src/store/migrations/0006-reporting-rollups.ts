/**
 * Reporting rollups (issue 6): per-ticket facts and per-stint rows, maintained in the same
 * transaction as the events, so a 30-day report reads tens of thousands of narrow rows instead
 * of millions of events. Derived data: `escalon report --rebuild-rollups` recomputes them.
 * Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  let facts = db.schema
    .createTable('ticket_facts')
    .addColumn('ticket_id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('solved_at', 'bigint')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_since', 'bigint', (c) => c.notNull());
  for (const col of ['ms_new', 'ms_open', 'ms_pending', 'ms_on_hold']) facts = facts.addColumn(col, 'bigint', (c) => c.notNull());
  facts = facts
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('first_level', 'text', (c) => c.notNull())
    .addColumn('teams_visited', 'text', (c) => c.notNull())
    .addColumn('levels_visited', 'text', (c) => c.notNull())
    .addColumn('escalations', 'integer', (c) => c.notNull())
    .addColumn('first_escalated_at', 'bigint')
    .addColumn('deescalations', 'integer', (c) => c.notNull())
    .addColumn('reassignments', 'integer', (c) => c.notNull())
    .addColumn('public_agent_replies', 'integer', (c) => c.notNull())
    .addColumn('solved_level', 'text')
    .addColumn('breaches', 'integer', (c) => c.notNull());
  for (const m of ['fr', 'nr', 'pu', 'res']) {
    for (const part of ['ended', 'met', 'breached', 'stopped']) facts = facts.addColumn(`${m}_${part}`, 'integer', (c) => c.notNull());
  }
  await facts.addColumn('csat', 'integer').execute();
  await db.schema.createIndex('ticket_facts_created').on('ticket_facts').columns(['created_at']).execute();
  await db.schema.createIndex('ticket_facts_solved').on('ticket_facts').columns(['solved_at']).execute();

  await db.schema
    .createTable('ticket_stints')
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'bigint', (c) => c.notNull())
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('left_at', 'bigint')
    .addColumn('left_by', 'text')
    .addColumn('held_ms', 'bigint', (c) => c.notNull())
    .addColumn('active_since', 'bigint')
    .addColumn('breaches', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('rule', 'text')
    .addColumn('escalation_kind', 'text')
    .addPrimaryKeyConstraint('ticket_stints_pk', ['ticket_id', 'kind', 'seq'])
    .execute();
}
