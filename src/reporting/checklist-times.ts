/**
 * Completion time per checklist item (issue 13), for the bottleneck report: over the checklists
 * attached in the report's period (tickets narrowed by the priority, channel and tier filters —
 * the ticket's current values; team and level do not narrow it), per checklist item: how many
 * were attached, how many are done, and the median and p90 time from attach to the tick that left
 * it done. Read from the event log (the checklists' only store); the same for both report engines.
 */
import type { Kysely } from 'kysely';
import { CHECKLIST_EVENTS, checklistItemTimings, foldChecklists } from '../domain/playbooks.ts';
import type { ChecklistItemFigure, KpiQuery } from '../domain/reporting/kpis.ts';
import type { Database } from '../store/schema.ts';

export async function checklistItemFigures(db: Kysely<Database>, q: KpiQuery): Promise<ChecklistItemFigure[]> {
  let attached = db
    .selectFrom('events')
    .innerJoin('tickets', 'tickets.id', 'events.ticket_id')
    .innerJoin('organizations', 'organizations.id', 'tickets.organization_id')
    .select('events.ticket_id')
    .distinct()
    .where('events.type', '=', 'checklist.attached')
    .where('events.at', '>=', q.from)
    .where('events.at', '<', q.to);
  if (q.filters.priority !== undefined) attached = attached.where('tickets.priority', '=', q.filters.priority);
  if (q.filters.channel !== undefined) attached = attached.where('tickets.channel', '=', q.filters.channel);
  if (q.filters.tier !== undefined) attached = attached.where('organizations.tier', '=', q.filters.tier);
  const ids = (await attached.execute()).map((r) => r.ticket_id);
  const lists = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('events')
      .select(['ticket_id', 'type', 'at', 'actor', 'payload'])
      .where('ticket_id', 'in', ids.slice(i, i + 500))
      .where('type', 'in', [...CHECKLIST_EVENTS])
      .where('at', '<=', q.asOf)
      .orderBy('ticket_id')
      .orderBy('at')
      .orderBy('id')
      .execute();
    const byTicket = new Map<string, typeof rows>();
    for (const r of rows) byTicket.set(r.ticket_id, [...(byTicket.get(r.ticket_id) ?? []), r]);
    for (const evs of byTicket.values()) {
      const folded = foldChecklists(evs.map((e) => ({ type: e.type, at: e.at, actor: e.actor, payload: JSON.parse(e.payload) as Record<string, unknown> })));
      lists.push(...folded.filter((c) => c.attachedAt >= q.from && c.attachedAt < q.to));
    }
  }
  return checklistItemTimings(lists).map((t) => ({ key: `${t.checklist}/${t.item}`, ...t }));
}
