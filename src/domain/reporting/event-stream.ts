/**
 * Groups an event stream by ticket for reporting. Accepts the simulator's output lines
 * (`{at: ISO, ticket, type, ...payload}`, the contract (docs/contract.md) §6) as well as stored events, and keeps
 * each ticket's events in stream order (a stable sort on `at`).
 */
import type { ReportEvent } from './ticket-facts.ts';

export interface TicketEvents {
  ticket: string;
  events: ReportEvent[];
}

/** One simulate output line as a report event; null when it is not an event line. */
export function fromSimulateLine(line: Record<string, unknown>): { ticket: string; event: ReportEvent } | null {
  const { at, ticket, type, ...payload } = line;
  if (typeof at !== 'string' || typeof ticket !== 'string' || typeof type !== 'string') return null;
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) return null;
  return { ticket, event: { at: ms, type, payload } };
}

export function groupByTicket(items: Iterable<{ ticket: string; event: ReportEvent }>): TicketEvents[] {
  const map = new Map<string, ReportEvent[]>();
  for (const { ticket, event } of items) {
    const list = map.get(ticket);
    if (list) list.push(event);
    else map.set(ticket, [event]);
  }
  return [...map].map(([ticket, events]) => ({ ticket, events: events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map((x) => x.e) }));
}
