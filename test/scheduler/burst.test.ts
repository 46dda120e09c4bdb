/**
 * A burst: many tickets whose timers come due in the same millisecond, fired by two real
 * TimerLoops at once in small batches (several batches, on PostgreSQL two lease owners): every
 * ticket's due timers take effect exactly once — the same events on every ticket, none twice,
 * no due timer left, one outbox row per notification and recipient — and the reporting
 * rollups equal the naive derivation from the log. No timing is asserted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { deriveFromEvents } from '../../src/reporting/rollups.ts';
import { factsToRow } from '../../src/reporting/rollup-rows.ts';
import { reportingDb } from '../../src/reporting/schema.ts';
import { TimerLoop } from '../../src/scheduler/timer-loop.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

const TICKETS = 150;

describeStores('timer burst', (ctx) => {
  let t: TestApp;
  const start = Date.parse('2026-12-09T10:00:00Z');
  const ids: string[] = [];

  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(start - 60_000);
    await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
    t.deps.clock.set(start);
    for (let i = 0; i < TICKETS; i++) {
      const { ticket } = await createTicket(t.deps, t.cast.actors.agent, { requesterId: t.cast.actors.customerA.userId, subject: `Burst ${i}`, body: 'Down.', priority: 'urgent' });
      ids.push(ticket.id);
    }
  });
  afterAll(async () => {
    await t.app.close();
  });

  async function drain(loops: TimerLoop[], at: number): Promise<void> {
    for (const l of loops) l.start();
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const left = await ctx.store.db.selectFrom('timers').select((eb) => eb.fn.countAll().as('n')).where('due_at', '<=', at).executeTakeFirstOrThrow();
      if (Number(left.n) === 0) break;
    }
    await Promise.all(loops.map((l) => l.stop()));
  }

  it('fires every one of many same-moment timers exactly once, with two loops in small batches', async () => {
    const first = await ctx.store.db.selectFrom('timers').select((eb) => eb.fn.min('due_at').as('due')).executeTakeFirstOrThrow();
    const due = Number(first.due);
    const same = await ctx.store.db.selectFrom('timers').select(['ticket_id', 'kind']).where('due_at', '=', due).execute();
    // Every ticket has a timer at that very moment: a burst of at least one per ticket.
    expect(new Set(same.map((r) => r.ticket_id)).size).toBe(TICKETS);
    const eventsBefore = await ctx.store.db.selectFrom('events').select(['ticket_id', 'type']).where('ticket_id', 'in', ids).execute();

    // Five hours on: the burst, and what it cascades into (breaches, escalations, their acknowledgement timers).
    const at = start + 5 * 3_600_000;
    t.deps.clock.set(at);
    let fired = 0;
    const loop = (owner: string) =>
      new TimerLoop({ store: ctx.store, clock: t.deps.clock, live: t.deps.live, owner, onFired: () => fired++ }, { batchSize: 16, maxSleepMs: 50 });
    await drain([loop('burst-a'), loop('burst-b')], at);

    const left = await ctx.store.db.selectFrom('timers').select((eb) => eb.fn.countAll().as('n')).where('due_at', '<=', at).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
    expect(fired).toBeGreaterThanOrEqual(TICKETS * 2);

    // The same story on every ticket (same policy, same moment), each timer-caused event once.
    const rows = await ctx.store.db.selectFrom('events').select(['id', 'ticket_id', 'type', 'at', 'payload']).where('ticket_id', 'in', ids).where('at', '>', start).orderBy('at').orderBy('id').execute();
    const story = (id: string) =>
      rows
        .filter((r) => r.ticket_id === id)
        .map((r) => {
          const p = JSON.parse(r.payload) as Record<string, unknown>;
          return `${r.at - start} ${r.type} ${String(p.metric ?? '')} ${String(p.threshold ?? '')} ${String(p.rule ?? '')} ${String(p.to_level ?? '')}`;
        });
    const reference = story(ids[0] ?? '');
    expect(reference.some((l) => l.includes('sla.breached'))).toBe(true);
    expect(reference.some((l) => l.includes('ticket.escalated'))).toBe(true);
    // Each SLA moment (metric, threshold, instant) once: no timer fired twice.
    const sla = reference.filter((l) => l.includes(' sla.'));
    expect(sla.length).toBeGreaterThan(0);
    expect(new Set(sla).size).toBe(sla.length);
    for (const id of ids) expect(story(id), id).toEqual(reference);
    expect(rows.length + eventsBefore.length).toBe(TICKETS * reference.length + eventsBefore.length);

    // One outbox row per notification event and recipient.
    const outbox = await ctx.store.db.selectFrom('outbox').select(['payload', 'recipient']).where('ticket_id', 'in', ids).execute();
    const pairs = outbox.map((r) => `${(JSON.parse(r.payload) as { event_id: string }).event_id} ${r.recipient}`);
    expect(new Set(pairs).size).toBe(pairs.length);

    // The rollups kept batch by batch are the naive derivation from the log.
    const naive = (await deriveFromEvents(ctx.store.db, ids)).map((r) => factsToRow(r.facts));
    const kept = await reportingDb(ctx.store.db).selectFrom('ticket_facts').selectAll().where('ticket_id', 'in', ids).execute();
    const byId = (a: { ticket_id: string }, b: { ticket_id: string }) => (a.ticket_id < b.ticket_id ? -1 : 1);
    expect(kept.map((r) => ({ ...r })).sort(byId)).toEqual(naive.map((r) => ({ ...r })).sort(byId));
  });
});
