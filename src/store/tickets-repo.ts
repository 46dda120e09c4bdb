/** Tickets: row ↔ domain mapping, the key counter, optimistic-concurrency updates, listing. */
import { sql, type Kysely, type Selectable } from 'kysely';
import { DomainError } from '../domain/errors.ts';
import type { Level3, Ticket } from '../domain/ticket.ts';
import type { Priority, Status } from '../domain/policy/types.ts';
import type { Database, TicketsTable } from './schema.ts';
import type { Column } from './bulk.ts';
import { rawRows } from './bulk.ts';
import type { Dialect } from './connect.ts';

type Db = Kysely<Database>;
type Row = Selectable<TicketsTable>;

export const TICKET_KEY = /^ESC-(\d{1,15})$/;

export function rowToTicket(r: Row): Ticket {
  return {
    id: r.id,
    key: r.key,
    requesterId: r.requester_id,
    organizationId: r.organization_id,
    channel: r.channel,
    subject: r.subject,
    body: r.body,
    priority: r.priority as Priority,
    impact: r.impact as Level3 | null,
    urgency: r.urgency as Level3 | null,
    category: r.category,
    tags: JSON.parse(r.tags) as string[],
    status: r.status as Status,
    assigneeId: r.assignee_id,
    ownerId: r.owner_id,
    team: r.team,
    level: r.level,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    solvedAt: r.solved_at,
    version: r.version,
    reassignments: r.reassignments,
    teamMoves: r.team_moves,
    bounces: r.bounces,
    reopens: r.reopens,
  };
}

export function ticketColumns(t: Ticket) {
  return {
    requester_id: t.requesterId,
    organization_id: t.organizationId,
    channel: t.channel,
    subject: t.subject,
    body: t.body,
    priority: t.priority,
    impact: t.impact,
    urgency: t.urgency,
    category: t.category,
    tags: JSON.stringify(t.tags),
    status: t.status,
    assignee_id: t.assigneeId,
    owner_id: t.ownerId,
    team: t.team,
    level: t.level,
    updated_at: t.updatedAt,
    solved_at: t.solvedAt,
    reassignments: t.reassignments,
    team_moves: t.teamMoves,
    bounces: t.bounces,
    reopens: t.reopens,
  };
}

/** The next ticket number of this database (`ESC-<n>`); the row lock serialises creators. */
export async function nextTicketNumber(db: Db): Promise<number> {
  const row = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'ticket_number')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/** `engine`: the engine's columns of the new row (engine state, risk), written in the same statement. */
export async function insertTicket(db: Db, t: Ticket & { number: number }, engine: Record<string, unknown> = {}): Promise<void> {
  await db
    .insertInto('tickets')
    .values({ id: t.id, key: t.key, number: t.number, created_at: t.createdAt, version: t.version, engine_state: null, ...ticketColumns(t), ...engine })
    .execute();
}

/**
 * Writes `next` if the stored version is still `next.version - 1`; otherwise someone else
 * changed the ticket since it was loaded and the caller gets VERSION_CONFLICT.
 */
export async function updateTicket(db: Db, next: Ticket): Promise<void> {
  const res = await db
    .updateTable('tickets')
    .set({ ...ticketColumns(next), version: next.version })
    .where('id', '=', next.id)
    .where('version', '=', next.version - 1)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) {
    throw new DomainError('VERSION_CONFLICT', `ticket ${next.key} was changed by someone else; reload it and try again`, {
      ticket: next.key,
    });
  }
}

/** By key (`ESC-12`) or by id; undefined when neither matches. */
export async function findTicket(db: Db, ref: string): Promise<Ticket | undefined> {
  const byKey = TICKET_KEY.exec(ref.toUpperCase());
  const q = db.selectFrom('tickets').selectAll();
  const row = byKey ? await q.where('key', '=', `ESC-${Number(byKey[1])}`).executeTakeFirst() : await q.where('id', '=', ref).executeTakeFirst();
  return row ? rowToTicket(row) : undefined;
}

export async function findTicketForUpdate(db: Db, ref: string, dialect: 'sqlite' | 'postgres'): Promise<Ticket | undefined> {
  if (dialect === 'sqlite') return findTicket(db, ref);
  const byKey = TICKET_KEY.exec(ref.toUpperCase());
  const q = db.selectFrom('tickets').selectAll().forUpdate();
  const row = byKey ? await q.where('key', '=', `ESC-${Number(byKey[1])}`).executeTakeFirst() : await q.where('id', '=', ref).executeTakeFirst();
  return row ? rowToTicket(row) : undefined;
}

export interface TicketFilter {
  status?: Status[];
  priority?: Priority[];
  team?: string;
  /** A user id, or null for unassigned tickets. */
  assigneeId?: string | null;
  organizationId?: string;
  q?: string;
}

export interface Cursor {
  createdAt: number;
  id: string;
}

/**
 * Newest first; `after` continues strictly after the given (created_at, id) — written as a
 * row-value comparison so both databases walk the (created_at, id) index from the cursor.
 * Several statuses are read one index range each (status, created_at) and merged: one query
 * with `status in (…)` would have to sort every matching row at a million tickets.
 */
export async function listTickets(db: Db, f: TicketFilter, after: Cursor | null, limit: number): Promise<Ticket[]> {
  if (f.status && f.status.length > 1) {
    const parts = await Promise.all(f.status.map((status) => listTickets(db, { ...f, status: [status] }, after, limit)));
    return parts
      .flat()
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, limit);
  }
  let q = db.selectFrom('tickets').selectAll();
  if (f.status?.length) q = q.where('status', 'in', f.status);
  if (f.priority?.length) q = q.where('priority', 'in', f.priority);
  // `a,b`: any of several teams (a lead or manager of several teams sees them together).
  if (f.team !== undefined) q = q.where('team', 'in', f.team.split(',').filter((t) => t !== ''));
  if (f.assigneeId === null) q = q.where('assignee_id', 'is', null);
  else if (f.assigneeId !== undefined) q = q.where('assignee_id', '=', f.assigneeId);
  if (f.organizationId !== undefined) q = q.where('organization_id', '=', f.organizationId);
  if (f.q) {
    const pattern = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`lower(subject) like ${pattern} escape '\\'`,
        sql<boolean>`lower(body) like ${pattern} escape '\\'`,
        eb('key', '=', f.q?.toUpperCase() ?? ''),
      ]),
    );
  }
  if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}, ${after.id})`);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(rowToTicket);
}

export interface TicketRef {
  id: string;
  key: string;
  organizationId: string;
}

/**
 * A ticket's id, key and organization, its row locked until the transaction ends (PostgreSQL;
 * SQLite has one writer at a time anyway): appends to its log then follow each other.
 */
export async function lockTicketRef(db: Db, id: string, dialect: 'sqlite' | 'postgres'): Promise<TicketRef | undefined> {
  const q = db.selectFrom('tickets').select(['id', 'key', 'organization_id']).where('id', '=', id);
  const row = await (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
  return row ? { id: row.id, key: row.key, organizationId: row.organization_id } : undefined;
}

/** The columns `ticketColumns` writes, with their PostgreSQL types (set-based updates, store/bulk.ts). */
export const TICKET_COLUMN_TYPES: Readonly<Record<keyof ReturnType<typeof ticketColumns>, Column['pg']>> = {
  requester_id: 'text',
  organization_id: 'text',
  channel: 'text',
  subject: 'text',
  body: 'text',
  priority: 'text',
  impact: 'int8',
  urgency: 'int8',
  category: 'text',
  tags: 'text',
  status: 'text',
  assignee_id: 'text',
  owner_id: 'text',
  team: 'text',
  level: 'text',
  updated_at: 'int8',
  solved_at: 'int8',
  reassignments: 'int8',
  team_moves: 'int8',
  bounces: 'int8',
  reopens: 'int8',
};

/**
 * Whole rows of some tickets in one statement, each locked until the transaction ends
 * (PostgreSQL, in id order so that two batches lock shared tickets in the same order; SQLite
 * has one writer at a time anyway). The timer path reads ticket and engine state together.
 */
export async function lockTicketRows(db: Db, dialect: Dialect, ids: readonly string[]): Promise<Row[]> {
  if (ids.length === 0) return [];
  return dialect === 'postgres'
    ? rawRows<Row>(db, 'select * from tickets where id = any($1::text[]) order by id for update', [ids])
    : // CROSS JOIN keeps the id list the outer loop: one primary-key look-up per id (an IN over json_each was planned as a scan).
      rawRows<Row>(db, 'select t.* from json_each(?) as j cross join tickets as t on t.id = j.value', [JSON.stringify(ids)]);
}
