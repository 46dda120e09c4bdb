/**
 * The writes of one or many ticket changes, collected and then written set-based in one go.
 *
 * Every ticket change reaches the database through here (commit-ticket-change.ts,
 * append-ticket-events.ts, live-engine.ts `persist`): the ticket row (inserted, or updated
 * guarded by its version, together with the engine state and risk columns — one statement, not
 * two), the events, the reporting rollups of the tickets touched, the tickets' timers (all
 * replaced) and the outbox rows. A single change flushes its set at once (the API path); the
 * timer loop collects a whole batch of firings in one set and flushes it once (fire-timers.ts),
 * so a batch costs a handful of statements however many tickets it touches:
 *
 *   tickets    only the columns that changed (fewer index writes): SQLite one UPDATE per
 *              ticket, prepared once per shape; PostgreSQL one UPDATE … FROM unnest(…) per shape
 *   events     one multi-row insert            timers   one delete + one insert
 *   rollups    one read, delete, insert         outbox   one multi-row insert
 *
 * Several changes of one ticket in a set merge: the row is written once, in its last state,
 * guarded by the version it had before the first (VERSION_CONFLICT when someone else wrote it).
 * A reader that needs to see the pending writes (a checklist read, least-loaded counts, a risk
 * profile) flushes first; flushing is always safe — nothing is lost or written twice.
 */
import type { Kysely } from 'kysely';
import type { TicketState } from '../domain/engine/types.ts';
import { DomainError } from '../domain/errors.ts';
import type { Ticket } from '../domain/ticket.ts';
import { destinationKey } from '../domain/outbox-destination.ts';
import { refreshRollups } from '../reporting/rollups.ts';
import { auditKey, eventHash } from '../store/audit-chain.ts';
import { readChainHeads } from '../store/audit-repo.ts';
import { bulkInsert, pgBulkUpdate, sqliteUpdateRow, type Column } from '../store/bulk.ts';
import type { Dialect } from '../store/connect.ts';
import type { NewOutboxRow } from '../store/engine-state-repo.ts';
import { insertEvents, type StoredEvent } from '../store/events-repo.ts';
import type { Database } from '../store/schema.ts';
import { insertTicket, TICKET_COLUMN_TYPES, ticketColumns } from '../store/tickets-repo.ts';
import { replaceTimersOf, timerRowsFor, type TimerRow } from '../store/timers-repo.ts';

type Db = Kysely<Database>;

/** The engine's columns of a ticket row, with their PostgreSQL types. */
const ENGINE_COLUMN_TYPES: Readonly<Record<string, Column['pg']>> = {
  engine_state: 'text',
  escalations: 'int8',
  ack_pending: 'int8',
  next_sla_at: 'int8',
  risk_memo: 'text',
  risk_score: 'float8',
  risk_band: 'text',
  risk_reasons: 'text',
  risk_at: 'int8',
  risk_model: 'text',
  risk_opening: 'float8',
  audit_seq: 'int8',
  audit_head: 'text',
};

interface TicketRecord {
  /** A new ticket (its number): inserted rather than updated. */
  number?: number;
  /** The row as loaded before this set's first change (the version guard, the changed columns); null for a new ticket. */
  before: Ticket | null;
  /** The row to write; null: only the engine columns change. */
  ticket: Ticket | null;
  engine: Record<string, unknown> | null;
}

const OUTBOX_COLUMNS: Column[] = [
  { name: 'id', pg: 'text' },
  { name: 'ticket_id', pg: 'text' },
  { name: 'channel', pg: 'text' },
  { name: 'recipient', pg: 'text' },
  { name: 'template', pg: 'text' },
  { name: 'payload', pg: 'text' },
  { name: 'status', pg: 'text' },
  { name: 'attempts', pg: 'int8' },
  { name: 'next_attempt_at', pg: 'int8' },
  { name: 'created_at', pg: 'int8' },
  { name: 'last_error', pg: 'text' },
  { name: 'destination', pg: 'text' },
];

export class WriteSet {
  private tickets = new Map<string, TicketRecord>();
  private events: StoredEvent[] = [];
  private readonly eventsOf = new Set<string>();
  private timers = new Map<string, TimerRow[]>();
  private timersAt = 0;
  private outbox: NewOutboxRow[] = [];

  constructor(readonly dialect: Dialect) {}

  get pending(): boolean {
    return this.tickets.size > 0 || this.events.length > 0 || this.timers.size > 0 || this.outbox.length > 0;
  }

  /** Events of this ticket are waiting to be written. */
  hasEventsOf(ticketId: string): boolean {
    return this.eventsOf.has(ticketId);
  }

  insertTicket(ticket: Ticket, number: number): void {
    this.tickets.set(ticket.id, { number, before: null, ticket, engine: null });
  }

  /** `next.version` must be `before.version + 1`; several updates of one ticket merge. */
  updateTicket(before: Ticket, next: Ticket): void {
    const rec = this.tickets.get(next.id);
    if (rec) {
      rec.ticket = next;
      if (rec.before === null && rec.number === undefined) rec.before = before;
    } else this.tickets.set(next.id, { before, ticket: next, engine: null });
  }

  /** The engine state and the columns derived from it (and `extra`: the risk columns). */
  saveEngineState(ticketId: string, state: TicketState, nextSlaAt: number | null, extra: Record<string, unknown> = {}): void {
    const engine = { ...extra, engine_state: JSON.stringify(state), escalations: state.escalations, ack_pending: state.pendingAck ? 1 : 0, next_sla_at: nextSlaAt };
    const rec = this.tickets.get(ticketId);
    if (rec) rec.engine = { ...rec.engine, ...engine };
    else this.tickets.set(ticketId, { before: null, ticket: null, engine });
  }

  addEvents(events: readonly StoredEvent[]): void {
    for (const e of events) {
      this.events.push(e);
      this.eventsOf.add(e.ticketId);
    }
  }

  /** Replaces every timer of the ticket; returns the rows as they will be stored. */
  replaceTimers(ticketId: string, timers: ReadonlyArray<{ key: string; due: number }>, now: number): TimerRow[] {
    const rows = timerRowsFor(ticketId, timers, now);
    this.timers.set(ticketId, rows);
    this.timersAt = Math.max(this.timersAt, now);
    return rows;
  }

  addOutbox(rows: readonly NewOutboxRow[]): void {
    this.outbox.push(...rows);
  }

  /** Writes everything collected, in an order the foreign keys accept, and empties the set. */
  async flush(trx: Db): Promise<void> {
    if (!this.pending) return;
    const tickets = this.tickets;
    const events = this.events;
    const rollups = [...this.eventsOf];
    const timers = this.timers;
    const timersAt = this.timersAt;
    const outbox = this.outbox;
    this.tickets = new Map();
    this.events = [];
    this.eventsOf.clear();
    this.timers = new Map();
    this.outbox = [];
    await this.chain(trx, tickets, events);
    await this.writeTickets(trx, tickets);
    await insertEvents(trx, this.dialect, events);
    await refreshRollups(trx, rollups);
    await replaceTimersOf(trx, this.dialect, timers, timersAt);
    await bulkInsert(
      trx,
      this.dialect,
      'outbox',
      OUTBOX_COLUMNS,
      outbox.map((r) => [
        r.id,
        r.ticket_id ?? null,
        r.channel,
        r.recipient,
        r.template,
        r.payload,
        r.status ?? 'pending',
        r.attempts ?? 0,
        r.next_attempt_at,
        r.created_at,
        r.last_error ?? null,
        r.destination ?? destinationKey(r.channel, r.recipient),
      ]),
    );
  }

  /**
   * The audit chain (store/audit-chain.ts): each event gets the next position of its ticket's
   * chain and its hash over the previous one; the ticket row carries the new head, written with
   * the row. The heads are read in one statement for the whole set (PostgreSQL: FOR UPDATE, so
   * no two transactions extend a chain from the same head); a new ticket starts at 0.
   */
  private async chain(trx: Db, tickets: Map<string, TicketRecord>, events: StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const ids = new Set<string>();
    for (const e of events) if (tickets.get(e.ticketId)?.number === undefined) ids.add(e.ticketId);
    const heads = await readChainHeads(trx, this.dialect, [...ids]);
    const key = auditKey();
    for (const e of events) {
      const head = heads.get(e.ticketId) ?? { seq: 0, hash: '' };
      const text = JSON.stringify(e.payload);
      const seq = head.seq + 1;
      const hash = eventHash(key, head.hash, {
        id: e.id,
        ticketId: e.ticketId,
        seq,
        at: e.at,
        recordedAt: e.recordedAt,
        type: e.type,
        actor: e.actor,
        internal: e.internal,
        payload: JSON.parse(text) as unknown,
        erased: null,
      });
      e.seq = seq;
      e.hash = hash;
      e.payloadText = text;
      heads.set(e.ticketId, { seq, hash });
    }
    for (const [id, head] of heads) {
      const columns = { audit_seq: head.seq, audit_head: head.hash };
      const rec = tickets.get(id);
      if (rec) rec.engine = { ...rec.engine, ...columns };
      else tickets.set(id, { before: null, ticket: null, engine: columns });
    }
  }

  private async writeTickets(trx: Db, tickets: Map<string, TicketRecord>): Promise<void> {
    const updates: Array<{ id: string; rec: TicketRecord }> = [];
    for (const [id, rec] of tickets) {
      if (rec.number !== undefined && rec.ticket) await insertTicket(trx, { ...rec.ticket, number: rec.number }, rec.engine ?? {});
      else updates.push({ id, rec });
    }
    if (updates.length === 0) return;
    if (this.dialect === 'sqlite') {
      for (const { id, rec } of updates) await this.sqliteUpdate(trx, id, rec);
      return;
    }
    // PostgreSQL: one statement per shape (which ticket columns changed, which engine columns):
    // a batch of firings has a few shapes (the clock moved; a breach; an escalation).
    const shapes = new Map<string, Array<{ id: string; values: Map<string, unknown>; rec: TicketRecord }>>();
    for (const { id, rec } of updates) {
      const values = this.changedColumns(rec);
      const shape = `${rec.ticket && rec.before ? 'G' : 'U'}:${[...values.keys()].join(',')}`;
      const list = shapes.get(shape);
      if (list) list.push({ id, values, rec });
      else shapes.set(shape, [{ id, values, rec }]);
    }
    for (const list of shapes.values()) {
      const first = list[0];
      if (!first || first.values.size === 0) continue;
      const names = [...first.values.keys()];
      const columns: Column[] = names.map((name) => ({
        name,
        pg: name === 'version' ? 'int8' : (TICKET_COLUMN_TYPES[name as keyof typeof TICKET_COLUMN_TYPES] ?? ENGINE_COLUMN_TYPES[name] ?? 'text'),
      }));
      const guarded = first.rec.ticket !== null && first.rec.before !== null;
      const rows = list.map(({ id, values, rec }) => ({ key: id, guard: rec.before?.version ?? null, values: names.map((n) => values.get(n)) }));
      const updated = await pgBulkUpdate(trx, 'tickets', 'id', guarded ? { name: 'version', pg: 'int8' } : null, columns, rows);
      if (guarded && updated !== rows.length) {
        const keys = list.map((u) => u.rec.ticket?.key ?? u.id);
        throw new DomainError('VERSION_CONFLICT', `ticket ${keys.length === 1 ? keys[0] : keys.join(', ')} was changed by someone else; reload it and try again`, {
          ticket: keys[0],
        });
      }
    }
  }

  /** The columns a record writes: the ticket columns that changed since `before` (all without it), the version, the engine columns. */
  private changedColumns(rec: TicketRecord): Map<string, unknown> {
    const values = new Map<string, unknown>();
    if (rec.ticket) {
      const next = ticketColumns(rec.ticket) as Record<string, unknown>;
      const was = rec.before ? (ticketColumns(rec.before) as Record<string, unknown>) : null;
      for (const [name, v] of Object.entries(next)) if (!was || was[name] !== v) values.set(name, v);
      values.set('version', rec.ticket.version);
    }
    for (const name of Object.keys(rec.engine ?? {}).sort()) values.set(name, rec.engine?.[name]);
    return values;
  }

  private async sqliteUpdate(trx: Db, id: string, rec: TicketRecord): Promise<void> {
    const values = [...this.changedColumns(rec)];
    if (values.length === 0) return;
    const guard = rec.ticket && rec.before ? { name: 'version', value: rec.before.version } : null;
    const updated = await sqliteUpdateRow(trx, 'tickets', 'id', id, guard, values);
    if (guard && updated !== 1) {
      const key = rec.ticket?.key ?? id;
      throw new DomainError('VERSION_CONFLICT', `ticket ${key} was changed by someone else; reload it and try again`, { ticket: key });
    }
  }
}
