/**
 * Short leases renewed by their owner (store/lease-keeper.ts, issue 12 finding 13): a renewed
 * claim is not taken over, an unrenewed one is at its end, an owner renews only its own rows,
 * and a timer renewal skips rows the firing transaction has locked instead of waiting for them.
 * The dispatcher renews its outbox claims while a slow delivery runs.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import type { Channel } from '../../src/notify/channels/channel.ts';
import { createDispatcher } from '../../src/notify/dispatcher.ts';
import { claimDueTimers, renewTimerLeases } from '../../src/store/timers-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast } from '../helpers/fixtures.ts';
import { outboxRow, queue } from '../notify/support/queue.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeStores('short leases renewed by their owner', (s) => {
  // SQLite runs one scheduler and takes no timer leases: PostgreSQL only (not registered on
  // SQLite, so CI, which refuses skipped tests, still runs it on PostgreSQL).
  if (s.dialect === 'postgres')
    it('timers (PostgreSQL): a renewed claim is not taken over, its end is; only the owner renews; locked rows are skipped, not waited for', async () => {
      const deps = depsFor(s.store);
      const cast = await makeCast(deps);
      const ticket = (await createTicket(deps, cast.actors.customerA, { subject: 'Leases', body: 'b' }))
        .ticket;
      const now = deps.clock.now();
      const ids = ['a', 'b', 'c'].map((k) => `lease-${k}-${s.dialect}`);
      await s.store.db
        .insertInto('timers')
        .values(
          ids.map((id, i) => ({
            id,
            ticket_id: ticket.id,
            kind: `test:${i}`,
            due_at: now - 1000,
            payload: '{}',
            created_at: now,
            lease_owner: null,
            lease_until: null,
          })),
        )
        .execute();

      const claimed = await claimDueTimers(s.store.db, 'postgres', now, 10, 'node-a', 2000);
      expect(claimed.map((t) => t.id).sort()).toEqual([...ids].sort());
      expect(await renewTimerLeases(s.store.db, 'node-b', ids, now + 10_000)).toBe(0); // not its claims
      expect(await renewTimerLeases(s.store.db, 'node-a', ids, now + 10_000)).toBe(3);
      // Past the original 2 s lease the renewed claims stay with node-a; past the renewal they are free.
      expect(await claimDueTimers(s.store.db, 'postgres', now + 5000, 10, 'node-b', 2000)).toEqual([]);

      // A row the firing transaction holds is skipped at once; the others are renewed.
      const renewedWhileLocked = await s.store.db.transaction().execute(async (trx) => {
        await sql`select id from timers where id = ${ids[0]} for update`.execute(trx);
        const started = Date.now();
        const n = await renewTimerLeases(s.store.db, 'node-a', ids, now + 20_000);
        return { n, ms: Date.now() - started };
      });
      expect(renewedWhileLocked.n).toBe(2);
      expect(renewedWhileLocked.ms).toBeLessThan(5000); // would block until the transaction ended (never: it waits for us)

      const taken = await claimDueTimers(s.store.db, 'postgres', now + 10_001, 10, 'node-b', 60_000);
      expect(taken.map((t) => t.id)).toEqual([ids[0]]); // its lease was not renewed to now + 20 s
      const later = await claimDueTimers(s.store.db, 'postgres', now + 20_001, 10, 'node-b', 2000);
      expect(later.map((t) => t.id).sort()).toEqual([ids[1], ids[2]].sort());
      await s.store.db.deleteFrom('timers').where('id', 'in', ids).execute();
    });

  it('outbox: a dispatcher renews its claim while a slow delivery runs; another dispatcher does not take the row meanwhile', async () => {
    const deps = depsFor(s.store);
    const cast = await makeCast(deps);
    const ticket = (await createTicket(deps, cast.actors.customerA, { subject: 'Slow SMTP', body: 'b' }))
      .ticket;
    const id = await queue(s.store, {
      ticketId: ticket.id,
      recipient: 'lina@example.com',
      template: 'idle-reminder',
      at: deps.clock.now(),
    });
    const deliveries: string[] = [];
    let claimedByOther = -1;
    const other = createDispatcher({
      store: s.store,
      clock: deps.clock,
      channels: {
        email: {
          name: 'email',
          deliver: async (m) => (deliveries.push(`other ${m.messageId}`), { kind: 'sent' }),
        },
      },
      links: { publicUrl: 'https://escalon.example.com' },
      owner: 'dispatcher-b',
      options: { leaseMs: 300, mergeWindowMs: 0 },
    });
    const slow: Channel = {
      name: 'email',
      deliver: async (m) => {
        deliveries.push(`slow ${m.messageId}`);
        // The delivery takes longer than the lease: on the dispatcher's clock and on the wall clock.
        deps.clock.advance(1000);
        await sleep(600);
        claimedByOther = await other.runDue();
        return { kind: 'sent' };
      },
    };
    const d = createDispatcher({
      store: s.store,
      clock: deps.clock,
      channels: { email: slow },
      links: { publicUrl: 'https://escalon.example.com' },
      owner: 'dispatcher-a',
      options: { leaseMs: 300, mergeWindowMs: 0 },
    });
    expect(await d.runDue()).toBe(1);
    expect(claimedByOther).toBe(0);
    expect(deliveries).toEqual([`slow ${id}`]);
    expect(await outboxRow(s.store, id)).toMatchObject({
      status: 'sent',
      attempts: 1,
      lease_owner: 'dispatcher-a',
    });
  });
});
