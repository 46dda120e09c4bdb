/**
 * The next ticket number (`ESC-<n>`). SQLite: the `counters` row (writers are serialised on the
 * one connection anyway). PostgreSQL: the `ticket_number_seq` sequence of migration 0023 — no
 * row lock held to the commit, so concurrent creations do not queue behind each other; a
 * creation that rolls back leaves a gap.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './connect.ts';
import type { Database } from './schema.ts';
import { nextTicketNumber as bumpCounter } from './tickets-repo.ts';

export async function nextTicketNumber(db: Kysely<Database>, dialect: Dialect): Promise<number> {
  if (dialect === 'sqlite') return bumpCounter(db);
  const r = await sql<{ n: number | string }>`select nextval('ticket_number_seq') as n`.execute(db);
  return Number(r.rows[0]?.n);
}
