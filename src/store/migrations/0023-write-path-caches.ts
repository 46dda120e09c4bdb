/**
 * Issue 15 (API ticket creation), PostgreSQL only; nothing to do on SQLite.
 *
 * 1. Ticket numbers from a SEQUENCE: the `counters` row was locked from the bump to the commit
 *    of every creating transaction, so concurrent creations ran one at a time. A sequence hands
 *    out numbers without a lock; a creation that rolls back leaves a gap in the numbers. The
 *    sequence starts after the counter and after every existing ticket's number.
 * 2. Change notifications for the per-process caches (store/change-watch.ts): a write to a
 *    cached table notifies `escalon_changes` with the table's name, delivered at commit to
 *    every node's listener (store/pg-notify.ts). Statement-level triggers: one notification per
 *    statement at most, and PostgreSQL folds duplicates within a transaction. Inserts of
 *    tokens, sessions, users and organizations change nothing cached (only found rows are
 *    cached), nor does the coarse `api_tokens.last_used_at` stamp.
 */
import { sql, type Kysely } from 'kysely';

const WATCHED: ReadonlyArray<[table: string, events: string]> = [
  ['api_tokens', 'update of revoked_at, revoked_reason, digest, user_id or delete'],
  ['sessions', 'update or delete'],
  ['users', 'update or delete'],
  ['policies', 'insert or update or delete'],
  ['risk_models', 'insert or update or delete'],
  ['organizations', 'update or delete'],
  ['organization_domains', 'insert or update or delete'],
];

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`create sequence ticket_number_seq as bigint minvalue 1`.execute(db);
  await sql`
    select setval('ticket_number_seq',
      greatest(coalesce((select value from counters where name = 'ticket_number'), 0), coalesce((select max(number) from tickets), 0), 1),
      greatest(coalesce((select value from counters where name = 'ticket_number'), 0), coalesce((select max(number) from tickets), 0)) > 0)
  `.execute(db);
  await sql`
    create function escalon_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('escalon_changes', TG_TABLE_NAME);
      return null;
    end $$
  `.execute(db);
  for (const [table, events] of WATCHED) {
    await sql.raw(`create trigger escalon_changes_${table} after ${events} on ${table} for each statement execute function escalon_notify_change()`).execute(db);
  }
}
