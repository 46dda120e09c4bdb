/**
 * Durable timers: one row per pending moment of a ticket, keyed (ticket, kind) so that a
 * change replaces rather than duplicates. The scheduler claims due rows; on PostgreSQL the
 * claim is a lease taken with FOR UPDATE SKIP LOCKED so several processes share the work.
 * The lease is short (a few seconds) and renewed by its owner while its batch works
 * (renewTimerLeases, store/lease-keeper.ts), so a dead node's claims are taken over within
 * seconds. SQLite (one process) takes no leases.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './connect.ts';
import { bulkDeleteIn, bulkInsert, rawRows, type Column } from './bulk.ts';
import { newId } from './new-id.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export interface TimerRow {
  id: string;
  ticketId: string;
  kind: string;
  dueAt: number;
}

/** The rows that stand for a ticket's timers (ids given now, so their order is known before they are written). */
export function timerRowsFor(ticketId: string, timers: ReadonlyArray<{ key: string; due: number }>, now: number): TimerRow[] {
  return timers.map((t) => ({ id: newId(now), ticketId, kind: t.key, dueAt: t.due }));
}

const TIMER_COLUMNS: Column[] = [
  { name: 'id', pg: 'text' },
  { name: 'ticket_id', pg: 'text' },
  { name: 'kind', pg: 'text' },
  { name: 'due_at', pg: 'int8' },
  { name: 'payload', pg: 'text' },
  { name: 'created_at', pg: 'int8' },
];

/**
 * Replaces every timer of the given tickets with the given rows (the engine derives each
 * ticket's full set): one delete and one insert for any number of tickets.
 */
export async function replaceTimersOf(db: Db, dialect: Dialect, byTicket: ReadonlyMap<string, readonly TimerRow[]>, now: number): Promise<void> {
  if (byTicket.size === 0) return;
  await bulkDeleteIn(db, dialect, 'timers', 'ticket_id', [...byTicket.keys()]);
  const rows = [...byTicket.values()].flat().map((t) => [t.id, t.ticketId, t.kind, t.dueAt, '{}', now]);
  await bulkInsert(db, dialect, 'timers', TIMER_COLUMNS, rows);
}

/** The timers of some tickets due at or before `due`, whoever holds their lease, in due order (one read for a batch). */
export async function timersOfTickets(db: Db, dialect: Dialect, ticketIds: readonly string[], due: number): Promise<TimerRow[]> {
  if (ticketIds.length === 0) return [];
  const rows =
    dialect === 'postgres'
      ? await rawRows<{ id: string; ticket_id: string; kind: string; due_at: number | string }>(
          db,
          'select id, ticket_id, kind, due_at from timers where ticket_id = any($1::text[]) and due_at <= $2 order by due_at, id',
          [ticketIds, due],
        )
      : await rawRows<{ id: string; ticket_id: string; kind: string; due_at: number | string }>(
          db,
          'select t.id, t.ticket_id, t.kind, t.due_at from json_each(?) as j cross join timers as t on t.ticket_id = j.value where t.due_at <= ? order by t.due_at, t.id',
          [JSON.stringify(ticketIds), due],
        );
  return rows.map((r) => ({ id: r.id, ticketId: r.ticket_id, kind: r.kind, dueAt: Number(r.due_at) }));
}

/**
 * Claims up to `limit` timers due at or before `now`, earliest first. On PostgreSQL a claim is
 * a lease (`owner` until `now + leaseMs`) taken under FOR UPDATE SKIP LOCKED: rows another
 * process holds are skipped, and a lease that expired (its process died) can be taken over.
 */
export async function claimDueTimers(db: Db, dialect: Dialect, now: number, limit: number, owner: string, leaseMs: number): Promise<TimerRow[]> {
  if (dialect === 'sqlite') {
    const rows = await db
      .selectFrom('timers')
      .select(['id', 'ticket_id', 'kind', 'due_at'])
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, ticketId: r.ticket_id, kind: r.kind, dueAt: Number(r.due_at) }));
  }
  const result = await sql<{ id: string; ticket_id: string; kind: string; due_at: string | number }>`
    update timers set lease_owner = ${owner}, lease_until = ${now + leaseMs}
    where id in (
      select id from timers
      where due_at <= ${now} and (lease_until is null or lease_until < ${now})
      order by due_at, id
      limit ${limit}
      for update skip locked
    )
    returning id, ticket_id, kind, due_at`.execute(db);
  return result.rows
    .map((r) => ({ id: r.id, ticketId: r.ticket_id, kind: r.kind, dueAt: Number(r.due_at) }))
    .sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1));
}

/**
 * Extends this owner's leases on the claimed timers `ids` to `until` (PostgreSQL). Rows the
 * firing transaction has already locked (fired, being replaced) are skipped, never waited for:
 * they need no lease, and waiting would let the leases of the rest of the batch lapse.
 */
export async function renewTimerLeases(db: Db, owner: string, ids: readonly string[], until: number): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await sql`
    update timers set lease_until = ${until}
    where id in (
      select id from timers
      where id in (${sql.join([...ids])}) and lease_owner = ${owner}
      for update skip locked
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * When the scheduler should look again: now if a due timer is claimable (unleased, or its lease
 * ran out), else the earlier of the next future timer and the end of the earliest lease another
 * process holds on a due timer (a dead node's claims are taken over at that moment, without
 * polling in between). Null when there is no timer at all. Both reads use the due_at index; the
 * second reads only the timers already due.
 */
export async function nextClaimableAt(db: Db, now: number): Promise<number | null> {
  const r = await sql<{ next_due: number | string | null; overdue: number | string | null }>`
    select
      (select min(due_at) from timers where due_at > ${now}) as next_due,
      (select min(case when lease_until is null or lease_until < ${now} then ${now} else lease_until end) from timers where due_at <= ${now}) as overdue`.execute(db);
  const row = r.rows[0];
  const values = [row?.next_due, row?.overdue].filter((v): v is number | string => v !== null && v !== undefined).map(Number);
  return values.length ? Math.min(...values) : null;
}

/** The earliest timer of a ticket due at or before `due`, whoever holds its lease (a ticket's timers take effect in due order). */
export async function earliestTicketTimer(db: Db, ticketId: string, due: number): Promise<TimerRow | null> {
  const row = await db
    .selectFrom('timers')
    .select(['id', 'ticket_id', 'kind', 'due_at'])
    .where('ticket_id', '=', ticketId)
    .where('due_at', '<=', due)
    .orderBy('due_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row ? { id: row.id, ticketId: row.ticket_id, kind: row.kind, dueAt: Number(row.due_at) } : null;
}

/** Gives a claimed timer back (a failed firing) and postpones it so the loop does not spin on it. */
export async function postponeTimer(db: Db, id: string, until: number): Promise<void> {
  await db.updateTable('timers').set({ due_at: until, lease_owner: null, lease_until: null }).where('id', '=', id).execute();
}

export async function earliestTimerDue(db: Db): Promise<number | null> {
  const row = await db.selectFrom('timers').select((eb) => eb.fn.min('due_at').as('due')).executeTakeFirst();
  return row?.due === null || row?.due === undefined ? null : Number(row.due);
}

export async function countTimers(db: Db): Promise<number> {
  const row = await db.selectFrom('timers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}
