/**
 * The outbox as a queue. A row's life:
 *   pending  — due at next_attempt_at (new, or waiting to retry);
 *   waiting  — its channel is not configured in this dispatcher ("waiting: no email channel"):
 *              not claimed, not attempted, does not hold back later rows; back to pending as
 *              soon as a dispatcher with the channel runs, failed (once) when older than the
 *              configured maximum age;
 *   held     — waiting for a quiet-hours opening or a merge window; does not hold back later
 *              rows (it is waiting on purpose, not failing);
 *   sending  — claimed by a dispatcher (lease_owner) until lease_until; the owner renews the
 *              short lease while it works (renewOutboxLeases), so an expired lease means the
 *              dispatcher died: the row is claimable again and the same message id is sent again;
 *   sent | merged | failed | cancelled — final (cancelled also for rows written while
 *              replaying history, with last_error "history: not sent").
 * Order per ticket and destination (outbox.destination, domain/outbox-destination.ts: channel
 * and address or endpoint): a row is claimable only when no earlier row of its ticket to the
 * same destination is pending or sending, so a retrying row holds back later messages to that
 * address only — a failing webhook endpoint never delays the requester's email. The probe reads
 * the partial index outbox_destination_order (ticket, destination, created_at, id) over pending
 * and sending rows (migration 0015). On PostgreSQL the claim takes rows FOR UPDATE SKIP LOCKED,
 * so several dispatchers never take the same row; on SQLite the claim is one statement (writes
 * are serialised) and one dispatcher runs.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../store/connect.ts';
import type { Selectable } from 'kysely';
import type { Database, OutboxTable } from '../store/schema.ts';

type Db = Kysely<Database>;
export type OutboxRow = Selectable<OutboxTable>;

export async function claimDue(db: Db, dialect: Dialect, now: number, leaseMs: number, limit: number, owner: string | null = null): Promise<OutboxRow[]> {
  const result = await claimStatement(dialect, now, leaseMs, limit, owner).execute(db);
  return [...result.rows].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
}

/** The claim as one statement (exported for bench/outbox-claim.bench.ts, which EXPLAINs it). */
export function claimStatement(dialect: Dialect, now: number, leaseMs: number, limit: number, owner: string | null) {
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
  return sql<OutboxRow>`
    update outbox set status = 'sending', lease_until = ${now + leaseMs}, lease_owner = ${owner}, message_id = coalesce(message_id, id)
    where id in (
      select o.id from outbox o
      where ((o.status in ('pending', 'held') and o.next_attempt_at <= ${now}) or (o.status = 'sending' and o.lease_until < ${now}))
        and not exists (
          select 1 from outbox p
          where p.ticket_id = o.ticket_id and p.destination = o.destination and p.status in ('pending', 'sending')
            and (p.created_at < o.created_at or (p.created_at = o.created_at and p.id < o.id))
        )
      order by o.next_attempt_at, o.created_at, o.id
      limit ${limit}
      ${lock}
    )
    returning *`;
}

/**
 * Extends the leases this dispatcher still holds on `ids` (rows it claimed and has not finished)
 * to `until`. Rows another dispatcher took over, or already finished, are left alone.
 */
export async function renewOutboxLeases(db: Db, owner: string, ids: readonly string[], until: number): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('outbox')
    .set({ lease_until: until })
    .where('id', 'in', [...ids])
    .where('status', '=', 'sending')
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The earliest moment a waiting row becomes due (to sleep until then), or null. */
export async function nextDueAt(db: Db): Promise<number | null> {
  const r = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .where('status', 'in', ['pending', 'held'])
    .executeTakeFirst();
  const lease = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min('lease_until').as('at'))
    .where('status', '=', 'sending')
    .executeTakeFirst();
  const values = [r?.at, lease?.at].filter((v): v is number => v !== null && v !== undefined).map(Number);
  return values.length ? Math.min(...values) : null;
}

/** Rows of the same recipient, ticket and channel that one message may absorb. */
export async function mergeCandidates(db: Db, row: OutboxRow, windowMs: number): Promise<OutboxRow[]> {
  if (row.ticket_id === null) return [];
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('ticket_id', '=', row.ticket_id)
    .where('recipient', '=', row.recipient)
    .where('channel', '=', row.channel)
    .where('status', 'in', ['pending', 'held'])
    .where('id', '!=', row.id)
    .where('created_at', '>=', row.created_at)
    .where('created_at', '<=', row.created_at + windowMs)
    .orderBy('created_at')
    .orderBy('id')
    .limit(20)
    .execute();
}

/** The last message this recipient got about this ticket on this channel: when, and its content hash. */
export async function lastSent(db: Db, row: OutboxRow): Promise<{ at: number; hash: string | null } | null> {
  if (row.ticket_id === null) return null;
  const r = await db
    .selectFrom('outbox')
    .select(['sent_at', 'content_hash'])
    .where('ticket_id', '=', row.ticket_id)
    .where('recipient', '=', row.recipient)
    .where('channel', '=', row.channel)
    .where('status', '=', 'sent')
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.sent_at === null || r?.sent_at === undefined ? null : { at: Number(r.sent_at), hash: r.content_hash ?? null };
}

/** Rows for channels this dispatcher does not have wait, in one state, without attempts. */
export async function parkUnroutable(db: Db, channels: readonly string[]): Promise<void> {
  let q = db.updateTable('outbox').set({ status: 'waiting', lease_until: null, last_error: sql<string>`'waiting: no ' || channel || ' channel'` }).where('status', 'in', ['pending', 'held']);
  if (channels.length > 0) q = q.where('channel', 'not in', [...channels]);
  await q.execute();
}

/** Waiting rows whose channel this dispatcher has are due now. */
export async function resumeWaiting(db: Db, channels: readonly string[], now: number): Promise<void> {
  if (channels.length === 0) return;
  await db.updateTable('outbox').set({ status: 'pending', next_attempt_at: now, last_error: null }).where('status', '=', 'waiting').where('channel', 'in', [...channels]).execute();
}

/** Waiting rows older than the maximum age (to be failed, once). */
export async function expiredWaiting(db: Db, now: number, maxAgeMs: number, limit = 100): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll().where('status', '=', 'waiting').where('created_at', '<=', now - maxAgeMs).orderBy('created_at').limit(limit).execute();
}

/** Rows written while replaying the past are never sent: they are cancelled, with the reason. */
export async function cancelHistory(db: Db): Promise<number> {
  const r = await db
    .updateTable('outbox')
    .set({ status: 'cancelled', lease_until: null, last_error: 'history: not sent' })
    .where('status', 'in', ['pending', 'held', 'waiting'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The outbox rows of one ticket, oldest first: the delivery state of each message. */
export async function ticketOutbox(db: Db, ticketId: string): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
}

export async function holdUntil(db: Db, id: string, at: number, reason: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'held', next_attempt_at: at, lease_until: null, last_error: reason }).where('id', '=', id).execute();
}
