/**
 * The two ways to compute a report from the database, which must agree to the last digit:
 *
 * - `kpisFromRollups` (the product path, rollup-aggregate.ts): SQL aggregates and narrow
 *   per-ticket rows over ticket_facts / ticket_stints.
 * - `kpisNaive` (the baseline, and a cross-check): find the period's tickets from the raw
 *   events table (creation and status events in the period), read every event of those
 *   tickets, derive their facts and aggregate with the pure `computeKpis`.
 */
import type { Kysely } from 'kysely';
import { computeKpis, type KpiQuery, type KpiReport } from '../domain/reporting/kpis.ts';
import type { Stint, TicketFacts } from '../domain/reporting/ticket-facts.ts';
import type { Database } from '../store/schema.ts';
import { deriveFromEvents } from './rollups.ts';

export { kpisFromRollups } from './rollup-aggregate.ts';

/** The period's candidate tickets from the raw events: created in it, or with a status change in it. */
async function candidateTickets(db: Kysely<Database>, q: KpiQuery): Promise<string[]> {
  const rows = await db
    .selectFrom('events')
    .select('ticket_id')
    .distinct()
    .where('at', '>=', q.from)
    .where('at', '<', q.to)
    .where('type', 'in', ['ticket.created', 'status.changed'])
    .execute();
  return rows.map((r) => r.ticket_id);
}

export async function kpisNaive(db: Kysely<Database>, q: KpiQuery): Promise<KpiReport> {
  const ids = await candidateTickets(db, q);
  const facts: TicketFacts[] = [];
  const stints: Stint[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    for (const r of await deriveFromEvents(db, ids.slice(i, i + 5000))) {
      facts.push(r.facts);
      stints.push(...r.stints);
    }
  }
  return computeKpis(facts, stints, q);
}
