/**
 * Outbox order per destination (issue 12): `outbox.destination` — the channel and the address
 * or endpoint of a row as one key (domain/outbox-destination.ts), written with the row — and a
 * partial index over the rows that can hold others back (pending, sending), so the claim's
 * "no earlier row to the same destination is in flight" probe reads only live rows, however
 * long the sent history. `outbox.lease_owner`: the dispatcher holding a claim, so it renews its
 * own short leases while it works (dispatcher.ts) and a dead dispatcher's rows are taken over
 * within seconds.
 *
 * Backfill: every row gets its key in one statement; rows still in play (pending, held,
 * waiting, sending) are then recomputed one by one with the application's own function, so
 * their keys match those of new rows exactly (SQLite's lower() folds ASCII only). Forward only.
 */
import { sql, type Kysely } from 'kysely';
import { destinationKey, MAX_DESTINATION_LENGTH } from '../../domain/outbox-destination.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('destination', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('outbox').addColumn('lease_owner', 'text').execute();
  await sql`update outbox set destination = substr(lower(channel || ':' || trim(recipient)), 1, ${sql.lit(MAX_DESTINATION_LENGTH)})`.execute(
    db,
  );
  const live = await sql<{ id: string; channel: string; recipient: string; destination: string }>`
    select id, channel, recipient, destination from outbox where status in ('pending', 'held', 'waiting', 'sending')`.execute(
    db,
  );
  for (const r of live.rows) {
    const key = destinationKey(r.channel, r.recipient);
    if (key !== r.destination)
      await sql`update outbox set destination = ${key} where id = ${r.id}`.execute(db);
  }
  await db.schema
    .createIndex('outbox_destination_order')
    .on('outbox')
    .columns(['ticket_id', 'destination', 'created_at', 'id'])
    .where(sql.ref('status'), 'in', [sql.lit('pending'), sql.lit('sending')])
    .execute();
}
