/**
 * Keeping the reporting rollups (ticket_facts, ticket_stints) true to the event log.
 *
 * Contract of `applyToRollups(trx, ticketId, events)`, for one ticket (the commit path uses `refreshRollups`, below, through app/write-set.ts):
 * - call it inside the transaction that appends the ticket's events, after they are written
 *   (before works too): the rollups then commit or roll back with the events;
 * - `events` are the events being committed (StoredEvent or anything with id?/at/type/payload);
 *   they are merged with the ticket's events already in the table by id, so passing events
 *   that are already visible in `trx` counts them once;
 * - it recomputes the ticket's rows from its whole log (tens of events), so it is idempotent,
 *   order-insensitive across commits, and needs no migration of state when the derivation
 *   changes — `rebuildRollups` then recomputes every ticket.
 * Cost per commit: one indexed read of the ticket's events, one delete and one insert per table.
 */
import type { Kysely } from 'kysely';
import { deriveTicketRollup, type DeriveOptions, type ReportEvent, type TicketRollup } from '../domain/reporting/ticket-facts.ts';
import type { Database } from '../store/schema.ts';
import { factsToRow, stintToRow } from './rollup-rows.ts';
import { reportingDb } from './schema.ts';
import { loadTeamLevels, needsTeamLevels } from './team-levels.ts';

export interface RollupEventInput {
  id?: string;
  at: number;
  type: string;
  payload: Record<string, unknown> | string;
  actor?: string | null;
}

const parsePayload = (p: Record<string, unknown> | string): Record<string, unknown> => (typeof p === 'string' ? (JSON.parse(p) as Record<string, unknown>) : p);

/** Loads the tiers (at the organization now) of tickets whose creation event carries none. */
export async function tiersOf(db: Kysely<Database>, ticketIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ticketIds.length; i += 500) {
    const chunk = ticketIds.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const rows = await db
      .selectFrom('tickets')
      .innerJoin('organizations', 'organizations.id', 'tickets.organization_id')
      .select(['tickets.id as id', 'organizations.tier as tier'])
      .where('tickets.id', 'in', chunk)
      .execute();
    for (const r of rows) out.set(r.id, r.tier);
  }
  return out;
}

function needsTier(events: readonly ReportEvent[]): boolean {
  const created = events.find((e) => e.type === 'ticket.created');
  if (!created) return false;
  const org = created.payload.organization;
  const tier = org && typeof org === 'object' ? (org as Record<string, unknown>).tier : undefined;
  return typeof tier !== 'string' && typeof created.payload.organization_tier !== 'string';
}

/** Replaces the rollup rows of the given tickets (one statement per table and chunk). */
export async function writeRollups(db: Kysely<Database>, ticketIds: readonly string[], rollups: readonly TicketRollup[]): Promise<void> {
  const rdb = reportingDb(db);
  for (let i = 0; i < ticketIds.length; i += 500) {
    const chunk = ticketIds.slice(i, i + 500);
    await rdb.deleteFrom('ticket_stints').where('ticket_id', 'in', chunk).execute();
    await rdb.deleteFrom('ticket_facts').where('ticket_id', 'in', chunk).execute();
  }
  const facts = rollups.map((r) => factsToRow(r.facts));
  for (let i = 0; i < facts.length; i += 400) await rdb.insertInto('ticket_facts').values(facts.slice(i, i + 400)).execute();
  const stints = rollups.flatMap((r) => r.stints.map((s) => stintToRow(s, r.facts.createdAt)));
  for (let i = 0; i < stints.length; i += 1000) await rdb.insertInto('ticket_stints').values(stints.slice(i, i + 1000)).execute();
}

/** Recomputes one ticket's rollup rows from its event log plus `events` (see the file comment). */
export async function applyToRollups(trx: Kysely<Database>, ticketId: string, events: readonly RollupEventInput[] = [], options: DeriveOptions = {}): Promise<void> {
  const stored = await trx.selectFrom('events').select(['id', 'at', 'type', 'payload', 'actor']).where('ticket_id', '=', ticketId).orderBy('at').orderBy('id').execute();
  const seen = new Set(stored.map((e) => e.id));
  const all: Array<ReportEvent & { i: number }> = stored.map((e, i) => ({ at: e.at, type: e.type, payload: parsePayload(e.payload), actor: e.actor, i }));
  let i = all.length;
  for (const e of events) {
    if (e.id !== undefined && seen.has(e.id)) continue;
    all.push({ at: e.at, type: e.type, payload: parsePayload(e.payload), actor: e.actor ?? null, i: i++ });
  }
  all.sort((a, b) => a.at - b.at || a.i - b.i);
  let derive = options;
  if (options.teamLevels === undefined && needsTeamLevels(all)) derive = { ...derive, teamLevels: await loadTeamLevels(trx) };
  if (options.tier === undefined && needsTier(all)) {
    const tier = (await tiersOf(trx, [ticketId])).get(ticketId);
    if (tier !== undefined) derive = { ...derive, tier };
  }
  const rollup = deriveTicketRollup(ticketId, all, derive);
  await writeRollups(trx, [ticketId], rollup ? [rollup] : []);
}

/**
 * Recomputes the rollup rows of some tickets from their logs as they stand in `trx` (the
 * batched commit path, app/write-set.ts: call it once the batch's events are written): one
 * read of their events, one delete and one insert per table, for any number of tickets — the
 * same derivation as `applyToRollups`, and as the naive report.
 */
export async function refreshRollups(trx: Kysely<Database>, ticketIds: readonly string[]): Promise<void> {
  if (ticketIds.length === 0) return;
  await writeRollups(trx, ticketIds, await deriveFromEvents(trx, ticketIds));
}

/** Loads the events of some tickets, grouped by ticket, each in log order. */
export async function loadTicketEvents(db: Kysely<Database>, ticketIds: readonly string[]): Promise<Map<string, ReportEvent[]>> {
  const out = new Map<string, ReportEvent[]>();
  for (let i = 0; i < ticketIds.length; i += 500) {
    const chunk = ticketIds.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const rows = await db
      .selectFrom('events')
      .select(['ticket_id', 'at', 'type', 'payload', 'actor'])
      .where('ticket_id', 'in', chunk)
      .orderBy('ticket_id')
      .orderBy('at')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const e: ReportEvent = { at: r.at, type: r.type, payload: JSON.parse(r.payload) as Record<string, unknown>, actor: r.actor };
      const list = out.get(r.ticket_id);
      if (list) list.push(e);
      else out.set(r.ticket_id, [e]);
    }
  }
  return out;
}

/** Derives rollups for tickets from the events table (used by rebuild and the naive report). */
export async function deriveFromEvents(db: Kysely<Database>, ticketIds: readonly string[], options: DeriveOptions = {}): Promise<TicketRollup[]> {
  const events = await loadTicketEvents(db, ticketIds);
  const missingTier = [...events].filter(([, evs]) => needsTier(evs)).map(([id]) => id);
  const tiers = options.tier === undefined && missingTier.length > 0 ? await tiersOf(db, missingTier) : new Map<string, string>();
  if (options.teamLevels === undefined && [...events.values()].some(needsTeamLevels)) options = { ...options, teamLevels: await loadTeamLevels(db) };
  const out: TicketRollup[] = [];
  for (const id of ticketIds) {
    const evs = events.get(id);
    if (!evs) continue;
    const tier = tiers.get(id);
    const r = deriveTicketRollup(id, evs, tier !== undefined ? { ...options, tier } : options);
    if (r) out.push(r);
  }
  return out;
}

/**
 * Recomputes every ticket's rollups from the event log, in batches of tickets (each batch in
 * its own transaction). For a database that had events before migration 0006, or after a
 * change to the derivation.
 */
export async function rebuildRollups(db: Kysely<Database>, options: DeriveOptions & { batchSize?: number; onProgress?: (done: number) => void } = {}): Promise<number> {
  const batch = options.batchSize ?? 2000;
  let after = '';
  let done = 0;
  for (;;) {
    const ids = (await db.selectFrom('tickets').select('id').where('id', '>', after).orderBy('id').limit(batch).execute()).map((r) => r.id);
    if (ids.length === 0) return done;
    after = ids[ids.length - 1] ?? after;
    await db.transaction().execute(async (trx) => {
      const rollups = await deriveFromEvents(trx, ids, options);
      await writeRollups(trx, ids, rollups);
    });
    done += ids.length;
    options.onProgress?.(done);
  }
}
