/**
 * What the live engine keeps beside a ticket row: its state (JSON) with the columns derived
 * from it, the workload figures least-loaded assignment reads, and the outbox rows a change
 * queues.
 */
import type { Insertable, Kysely } from 'kysely';
import type { TicketState } from '../domain/engine/types.ts';
import { destinationKey } from '../domain/outbox-destination.ts';
import type { Database, OutboxTable } from './schema.ts';

type Db = Kysely<Database>;

export async function loadEngineState(db: Db, ticketId: string): Promise<TicketState | null> {
  const row = await db.selectFrom('tickets').select('engine_state').where('id', '=', ticketId).executeTakeFirst();
  if (!row?.engine_state) return null;
  // States written before team moves were counted lack the counters: they start at zero.
  return { teamMoves: 0, bounces: 0, teamsLeft: [], ...(JSON.parse(row.engine_state) as Partial<TicketState>) } as TicketState;
}

/** Open (not solved or closed) tickets per assignee email. */
export async function openTicketsPerAssignee(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('tickets')
    .innerJoin('users', 'users.id', 'tickets.assignee_id')
    .select(['users.email as email', (eb) => eb.fn.countAll().as('n')])
    .where('tickets.status', 'not in', ['solved', 'closed'])
    .groupBy('users.email')
    .execute();
  return new Map(rows.map((r) => [r.email, Number(r.n)]));
}

/** An outbox row to write; its destination key is computed from channel and recipient when absent. */
export type NewOutboxRow = Omit<Insertable<OutboxTable>, 'destination'> & { destination?: string };

export async function insertOutboxRows(db: Db, rows: readonly NewOutboxRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('outbox').values(rows.map((r) => ({ ...r, destination: r.destination ?? destinationKey(r.channel, r.recipient) }))).execute();
}
