/** What a freshly seeded demo shows at its start (test/app/seed-demo.test.ts). */
import type { Store } from '../../src/store/connect.ts';

export const MIN = 60_000;

export interface DemoFacts {
  tickets: number;
  escalated: number;
  runningClocks: number;
  warningsWithin30m: number;
  firstTimerIn: number;
  freshBreaches: number;
  oldestOpenBreachAgo: number;
  csat: number;
  reviews: number;
  distinctOpenBodies: boolean;
  corpusTextsUsed: number;
}

export async function demoFacts(store: Store, now: number): Promise<DemoFacts> {
  const db = store.db;
  const tickets = await db.selectFrom('tickets').select(['id', 'status', 'body', 'subject']).execute();
  const escalated = await db.selectFrom('events').select('ticket_id').distinct().where('type', '=', 'ticket.escalated').execute();
  const timers = await db
    .selectFrom('timers')
    .innerJoin('tickets', 'tickets.id', 'timers.ticket_id')
    .select(['timers.ticket_id', 'timers.kind', 'timers.due_at'])
    .where('tickets.status', 'in', ['new', 'open'])
    .where('timers.kind', 'like', 'sla:%')
    .where('timers.due_at', '>', now)
    .execute();
  const breaches = await db
    .selectFrom('events')
    .innerJoin('tickets', 'tickets.id', 'events.ticket_id')
    .select(['events.at'])
    .where('events.type', '=', 'sla.breached')
    .where('tickets.status', 'in', ['new', 'open'])
    .execute();
  const open = tickets.filter((t) => t.status === 'new' || t.status === 'open');
  const csat = await db.selectFrom('csat_responses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const reviews = await db.selectFrom('ticket_reviews').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return {
    tickets: tickets.length,
    escalated: escalated.length,
    runningClocks: new Set(timers.map((t) => t.ticket_id)).size,
    warningsWithin30m: timers.filter((t) => t.kind.includes(':warn:') && t.due_at <= now + 30 * MIN).length,
    firstTimerIn: Math.min(...timers.map((t) => t.due_at - now)),
    freshBreaches: breaches.filter((b) => b.at >= now - 6 * 60 * MIN).length,
    oldestOpenBreachAgo: Math.max(0, ...breaches.map((b) => now - b.at)),
    csat: Number(csat.n),
    reviews: Number(reviews.n),
    distinctOpenBodies: new Set(open.map((t) => t.body)).size === open.length,
    corpusTextsUsed: new Set(tickets.map((t) => t.subject)).size,
  };
}

