/** Customer addresses copied on a ticket's conversation: they get staff's public replies too. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export async function listCcs(db: Db, ticketId: string): Promise<string[]> {
  const rows = await db.selectFrom('ticket_ccs').select('address').where('ticket_id', '=', ticketId).orderBy('added_at').orderBy('address').execute();
  return rows.map((r) => r.address);
}

/** Adds the addresses not yet copied; returns the ones added. */
export async function addCcs(db: Db, ticketId: string, addresses: string[], at: number, by: string): Promise<string[]> {
  const have = new Set(await listCcs(db, ticketId));
  const added = [...new Set(addresses.map((a) => a.toLowerCase()))].filter((a) => !have.has(a));
  if (added.length > 0) await db.insertInto('ticket_ccs').values(added.map((address) => ({ ticket_id: ticketId, address, added_at: at, added_by: by }))).execute();
  return added;
}

export async function removeCcs(db: Db, ticketId: string, addresses: string[]): Promise<void> {
  if (addresses.length === 0) return;
  await db.deleteFrom('ticket_ccs').where('ticket_id', '=', ticketId).where('address', 'in', addresses).execute();
}
