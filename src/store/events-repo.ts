/**
 * The append-only event log (the contract (docs/contract.md) §5). This module has an insert and reads, and no
 * update or delete path: events are never changed once written — with one recorded exception, a
 * requester's personal-data erasure (app/personal-data.ts), which replaces strings through the
 * audit chain's sealing so the chain still verifies (store/audit-chain.ts).
 */
import type { Kysely } from 'kysely';
import type { DraftEvent } from '../domain/ticket.ts';
import { bulkInsert, type Column } from './bulk.ts';
import type { Dialect } from './connect.ts';
import { newId } from './new-id.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export interface StoredEvent {
  id: string;
  ticketId: string;
  at: number;
  recordedAt: number;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
  internal: boolean;
  /** Set when written (app/write-set.ts): the position in the ticket's audit chain and the hash. */
  seq?: number;
  hash?: string;
  /** The payload as stored (JSON), when the writer already has it. */
  payloadText?: string;
}

export interface EventStamp {
  ticketId: string;
  /** The moment the events belong to (a timer's due moment for timer-caused events). */
  at: number;
  /** When they were actually written. */
  recordedAt: number;
  /** `user:<id>`, a rule id (`rule:<id>`) or `system`. */
  actor: string;
}

/** The events as they will be stored (ids given now, in order), not yet written: see `insertEvents`. */
export function stampEvents(stamp: EventStamp, drafts: readonly DraftEvent[]): StoredEvent[] {
  return drafts.map((d) => ({
    id: newId(stamp.recordedAt),
    ticketId: stamp.ticketId,
    at: d.at ?? stamp.at,
    recordedAt: stamp.recordedAt,
    type: d.type,
    actor: d.actor ?? stamp.actor,
    payload: d.payload,
    internal: d.internal,
  }));
}

const EVENT_COLUMNS: Column[] = [
  { name: 'id', pg: 'text' },
  { name: 'ticket_id', pg: 'text' },
  { name: 'at', pg: 'int8' },
  { name: 'recorded_at', pg: 'int8' },
  { name: 'type', pg: 'text' },
  { name: 'actor', pg: 'text' },
  { name: 'payload', pg: 'text' },
  { name: 'internal', pg: 'int8' },
  { name: 'seq', pg: 'int8' },
  { name: 'hash', pg: 'text' },
];

/** Writes stamped events of any tickets in one set-based insert (store/bulk.ts); chained by the caller (app/write-set.ts). */
export async function insertEvents(db: Db, dialect: Dialect, events: readonly StoredEvent[]): Promise<void> {
  await bulkInsert(
    db,
    dialect,
    'events',
    EVENT_COLUMNS,
    events.map((e) => [e.id, e.ticketId, e.at, e.recordedAt, e.type, e.actor, e.payloadText ?? JSON.stringify(e.payload), e.internal ? 1 : 0, e.seq ?? null, e.hash ?? null]),
  );
}

export async function listEvents(db: Db, ticketId: string, opts: { includeInternal: boolean }): Promise<StoredEvent[]> {
  let q = db.selectFrom('events').selectAll().where('ticket_id', '=', ticketId);
  if (!opts.includeInternal) q = q.where('internal', '=', 0);
  const rows = await q.orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    ticketId: r.ticket_id,
    at: r.at,
    recordedAt: r.recorded_at,
    type: r.type,
    actor: r.actor,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    internal: r.internal === 1,
  }));
}
