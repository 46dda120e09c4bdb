/**
 * The one write path: what a transaction announces (the change feed, the scheduler's and the
 * dispatcher's wake-ups) is announced only once it has committed; a change that rolls back
 * announces nothing. Every writer of events keeps the reporting rollups with them.
 */
import { beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { feedOf, type TicketChanged } from '../../src/app/change-feed.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { createUser } from '../../src/app/create-user.ts';
import { fireDueTimers } from '../../src/app/fire-timers.ts';
import { LiveEngine } from '../../src/app/live-engine.ts';
import { PolicyRegistry } from '../../src/app/policy-registry.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { inTransaction } from '../../src/app/unit-of-work.ts';
import { changeTicketStatus as changeStatus } from '../../src/app/change-status.ts';
import { rateTicket } from '../../src/intake/record-csat.ts';
import { createDispatcher } from '../../src/notify/dispatcher.ts';
import { insertOutboxRows } from '../../src/store/engine-state-repo.ts';
import { newId } from '../../src/store/new-id.ts';
import { reportingDb } from '../../src/reporting/schema.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import type { Ticket } from '../../src/domain/ticket.ts';
import { findTicketForUpdate } from '../../src/store/tickets-repo.ts';
import { earliestTicketTimer } from '../../src/store/timers-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

interface Heard {
  feed: TicketChanged[];
  timers: Array<{ earliest: number | null; eventsVisible: Promise<number> }>;
  outbox: number;
}

/** Lets the feed's listeners (they run on a later tick) run; no wall-clock wait. */
const nextTick = () => new Promise((resolve) => setImmediate(resolve));

describeStores('one write path', (ctx) => {
  const heard: Heard = { feed: [], timers: [], outbox: 0 };
  const clock = new ManualClock(Date.parse('2026-11-30T09:00:00Z'));
  let ticketId = '';
  const countEvents = async () =>
    Number((await ctx.store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('ticket_id', '=', ticketId).executeTakeFirstOrThrow()).n);
  const live = new LiveEngine(new PolicyRegistry(), clock, {
    // Read from another connection at the moment of the signal: it sees the change only if it committed.
    timersChanged: (earliest) => heard.timers.push({ earliest, eventsVisible: countEvents() }),
    outboxChanged: () => heard.outbox++,
  });
  let deps: ReturnType<typeof depsFor>;
  let cast: Cast;
  let ticket: Ticket;

  beforeAll(async () => {
    deps = { ...depsFor(ctx.store, clock), engine: live, live };
    cast = await makeCast(deps);
    await applyPolicy(deps, cast.actors.admin, REFERENCE_POLICY, 'yaml');
    ticket = (await createTicket(deps, cast.actors.agent, { requesterId: cast.actors.customerA.userId, subject: 'VPN down', body: 'cannot connect', impact: 1, urgency: 1 })).ticket;
    ticketId = ticket.id;
    feedOf(ctx.store).subscribe((c) => heard.feed.push(c));
  });

  const reset = async () => {
    await nextTick();
    heard.feed.length = 0;
    heard.timers.length = 0;
    heard.outbox = 0;
  };

  it('a timer firing that rolls back publishes nothing to the change feed and wakes nothing', async () => {
    await reset();
    const timer = await earliestTicketTimer(ctx.store.db, ticket.id, Number.MAX_SAFE_INTEGER);
    if (!timer) throw new Error('the reference policy gives the ticket timers');
    clock.set(timer.dueAt);
    const before = await countEvents();
    let fired = false;
    await expect(
      inTransaction(ctx.store, live.signals, async (trx, uow) => {
        const locked = await findTicketForUpdate(trx, ticket.id, ctx.store.dialect);
        if (!locked) throw new Error('ticket gone');
        fired = await live.fire(trx, uow, locked, timer);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    await nextTick();
    expect(fired).toBe(true);
    expect(await countEvents()).toBe(before);
    expect(heard.feed).toEqual([]);
    expect(heard.timers).toEqual([]);
    expect(heard.outbox).toBe(0);
  });

  it('a timer firing that commits publishes the ticket and wakes the scheduler, after the commit', async () => {
    await reset();
    const before = await countEvents();
    const result = await fireDueTimers({ store: ctx.store, clock, live, owner: 'test' });
    expect(result.fired).toBeGreaterThan(0);
    await nextTick();
    const after = await countEvents();
    expect(after).toBeGreaterThan(before);
    expect(heard.feed.filter((c) => c.key === ticket.key)).toEqual([{ key: ticket.key, organizationId: ticket.organizationId }]);
    expect(heard.timers).toHaveLength(1);
    // The signal came after the commit: a read started from another connection at that moment saw the new events.
    expect(await heard.timers[0]?.eventsVisible).toBe(after);
  });

  it('a ticket change through a use case announces once, after commit; one that is refused announces nothing', async () => {
    await reset();
    await expect(changeStatus(deps, cast.actors.customerB, ticket.key, 'solved')).rejects.toThrow();
    await nextTick();
    expect(heard.feed).toEqual([]);
    expect(heard.timers).toEqual([]);
    await changeStatus(deps, cast.actors.agent, ticket.key, 'solved');
    await nextTick();
    expect(heard.feed.filter((c) => c.key === ticket.key)).toHaveLength(1);
    expect(heard.timers).toHaveLength(1);
    expect(await heard.timers[0]?.eventsVisible).toBe(await countEvents());
  });

  it('a survey answer goes through the write path: the change feed hears of it and the rollups count it', async () => {
    await reset();
    await rateTicket(deps, cast.actors.customerA, ticket.key, { rating: 5, comment: 'thanks' });
    await nextTick();
    expect(heard.feed.filter((c) => c.key === ticket.key)).toHaveLength(1);
    const facts = await reportingDb(ctx.store.db).selectFrom('ticket_facts').select('csat').where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(facts.csat).toBe(5);
  });

  it('a delivery outcome recorded by the dispatcher reaches the timeline and the change feed', async () => {
    await reset();
    const now = clock.now();
    await insertOutboxRows(ctx.store.db, [
      { id: newId(now), ticket_id: ticket.id, channel: 'email', recipient: 'lead@example.com', template: 'any', payload: '{}', status: 'pending', attempts: 0, next_attempt_at: now, created_at: now, last_error: null },
    ]);
    const before = await countEvents();
    // The template does not exist, so the row fails for good: one final outcome, one event.
    const email = { name: 'email', deliver: async () => ({ kind: 'sent' as const }) };
    const dispatcher = createDispatcher({ store: ctx.store, clock, channels: { email }, links: { publicUrl: 'http://localhost' }, random: () => 0 });
    expect(await dispatcher.runDue()).toBe(1);
    await nextTick();
    expect(await countEvents()).toBe(before + 1);
    expect(heard.feed.filter((c) => c.key === ticket.key)).toHaveLength(1);
  });
});

describeStores('per-change engine host', (ctx) => {
  const SPREAD = `${REFERENCE_POLICY.replace(/\n+$/, '')}\n`.replace(
    '\nrules:\n',
    '\nrules:\n  - id: spread-new-tickets\n    on: ticket.created\n    do:\n      - assign: least_loaded\n\n',
  );

  it('least-loaded assignment counts the open tickets as the change itself reads them', async () => {
    const deps = depsFor(ctx.store, new ManualClock(Date.parse('2026-11-30T15:00:00Z')));
    const cast = await makeCast(deps);
    const ids = new Map<string, string>();
    for (const name of ['ana', 'ben', 'chen']) {
      ids.set((await createUser(deps, { email: `${name}@example.com`, name, role: 'agent', organizationId: null })).id, name);
    }
    await applyPolicy(deps, cast.actors.admin, SPREAD, 'yaml');
    const assigned: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: `Ticket ${i}`, body: 'help' });
      assigned.push(ids.get(ticket.assigneeId ?? '') ?? String(ticket.assigneeId));
    }
    expect(assigned).toEqual(['ana', 'ben', 'chen', 'ana']);
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 'Fifth', body: 'help' });
    expect(ids.get(ticket.assigneeId ?? '')).toBe('ben');
  });
});
