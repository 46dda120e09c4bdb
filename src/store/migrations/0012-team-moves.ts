/**
 * Team moves and bounces (the contract (docs/contract.md) §1 "team move, bounce") on the ticket row, for the queues
 * and the API, and on the reporting facts, for the bounce rate; and the first responder of each
 * ticket on the facts, for the per-agent figures. Existing tickets start at zero
 * (their engine state did not count them); `escalon report --rebuild-rollups` recomputes the
 * facts from the events. Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['tickets', 'ticket_facts']) {
    await db.schema.alterTable(table).addColumn('team_moves', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable(table).addColumn('bounces', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  }
  // Per-agent figures: who answered first (the event's actor) and when.
  await db.schema.alterTable('ticket_facts').addColumn('first_responder', 'text').execute();
  await db.schema.alterTable('ticket_facts').addColumn('first_replied_at', 'bigint').execute();
}
