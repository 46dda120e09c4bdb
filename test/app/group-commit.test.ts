// Group commit (issue 15): concurrent inTransaction calls on SQLite share one transaction, each
// inside a savepoint. A member that throws is rolled back alone (its error to its caller only,
// its announcements dropped); a failed COMMIT fails every member; a nested call joins the
// outer transaction instead of waiting for it. On PostgreSQL every call stays its own
// transaction (checked here too: a failure touches nobody else).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedOf, type TicketChanged } from '../../src/app/change-feed.ts';
import { groupCommitStats, inTransaction, type EngineSignals } from '../../src/app/unit-of-work.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { createSqliteDatabase, describeStores } from '../helpers/db.ts';

/** Collects what the change feed announces (it publishes on a later tick). */
function listen(store: Store): { keys: string[]; stop: () => void; settle: () => Promise<void> } {
  const keys: string[] = [];
  const stop = feedOf(store).subscribe((c: TicketChanged) => keys.push(c.key));
  return { keys, stop, settle: () => new Promise((r) => setImmediate(() => setImmediate(r))) };
}

/** A gate the test opens when it wants (holds the first member while the others queue). */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

async function rows(store: Store, table: string): Promise<string[]> {
  const r = await sql<{ v: string }>`select v from ${sql.table(table)} order by v`.execute(store.db);
  return r.rows.map((x) => x.v);
}

describeStores('inTransaction: one failing change never takes others with it', (ctx) => {
  beforeAll(async () => {
    await sql`create table gc_rows (v text primary key)`.execute(ctx.store.db);
  });

  it('concurrent changes: the failing one is rolled back and reported to its caller only; the others commit and announce', async () => {
    const feed = listen(ctx.store);
    const first = gate();
    const timers: Array<number | null> = [];
    const signals: EngineSignals = { timersChanged: (e) => timers.push(e), outboxChanged: () => undefined };
    const change = (v: string, fail: boolean) =>
      inTransaction(ctx.store, signals, async (trx, uow) => {
        if (v === 'a') await first.wait;
        await sql`insert into gc_rows (v) values (${v})`.execute(trx);
        uow.ticketChanged({ key: `GC-${v}`, organizationId: 'o' });
        uow.timersChanged(v.charCodeAt(0));
        if (fail) throw new Error(`change ${v} refused`);
        return v;
      });
    const before = groupCommitStats(ctx.store);
    const pending = [change('a', false), change('b', false), change('c', true), change('d', false)];
    first.open();
    const settled = await Promise.allSettled(pending);
    await feed.settle();
    feed.stop();
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['a', 'b', 'change c refused', 'd']);
    expect(await rows(ctx.store, 'gc_rows')).toEqual(['a', 'b', 'd']);
    expect(feed.keys.filter((k) => k.startsWith('GC-')).sort()).toEqual(['GC-a', 'GC-b', 'GC-d']);
    expect(timers.sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(['a', 'b', 'd'].map((v) => v.charCodeAt(0)));
    if (ctx.dialect === 'sqlite') {
      // All four were submitted before the queue's next turn: one transaction.
      const after = groupCommitStats(ctx.store);
      expect(after.transactions - before.transactions).toBe(1);
      expect(after.members - before.members).toBe(4);
    }
  });

  it('a constraint error in one change (a duplicate key) rolls back that change only, including its earlier writes', async () => {
    const first = gate();
    const results = await Promise.allSettled([
      inTransaction(ctx.store, undefined, async (trx) => {
        await first.wait;
        await sql`insert into gc_rows (v) values ('e')`.execute(trx);
      }),
      inTransaction(ctx.store, undefined, async (trx) => {
        await sql`insert into gc_rows (v) values ('f')`.execute(trx);
        await sql`insert into gc_rows (v) values ('a')`.execute(trx); // taken
      }),
      inTransaction(ctx.store, undefined, async (trx) => {
        await sql`insert into gc_rows (v) values ('g')`.execute(trx);
      }),
      (async () => {
        first.open();
      })(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await rows(ctx.store, 'gc_rows')).toEqual(['a', 'b', 'd', 'e', 'g']);
  });
});

describe('inTransaction on SQLite: group failures and nesting', () => {
  let store: Store;
  let drop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const created = await createSqliteDatabase();
    drop = created.drop;
    store = openStore(created.url);
    // A deferred foreign key is checked at COMMIT: a way to make the COMMIT itself fail.
    await sql`create table gc_parent (id text primary key)`.execute(store.db);
    await sql`create table gc_child (v text primary key, parent text references gc_parent(id) deferrable initially deferred)`.execute(store.db);
  });
  afterAll(async () => {
    await store.close();
    await drop();
  });

  it('a COMMIT that fails fails every member of the group, and none of them announces', async () => {
    const feed = listen(store);
    const first = gate();
    const change = (v: string, parent: string | null) =>
      inTransaction(store, undefined, async (trx, uow) => {
        if (v === 'h') await first.wait;
        await sql`insert into gc_child (v, parent) values (${v}, ${parent})`.execute(trx);
        uow.ticketChanged({ key: `GC-${v}`, organizationId: 'o' });
        return v;
      });
    first.open();
    expect(await change('h', null)).toBe('h'); // alone: committed
    const pending = [change('i', null), change('j', 'no such parent'), change('k', null)];
    const settled = await Promise.allSettled(pending);
    await feed.settle();
    feed.stop();
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect(String((s as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/i);
    }
    const left = await sql<{ v: string }>`select v from gc_child order by v`.execute(store.db);
    expect(left.rows.map((r) => r.v)).toEqual(['h']);
    expect(feed.keys.filter((k) => k.startsWith('GC-'))).toEqual(['GC-h']);
  });

  it('a nested call joins the outer transaction (no deadlock); its failure, caught by the outer work, undoes only its own writes', async () => {
    const feed = listen(store);
    const result = await inTransaction(store, undefined, async (trx, uow) => {
      await sql`insert into gc_parent (id) values ('p1')`.execute(trx);
      uow.ticketChanged({ key: 'GC-outer', organizationId: 'o' });
      const inner = await inTransaction(store, undefined, async (t2, u2) => {
        await sql`insert into gc_parent (id) values ('p2')`.execute(t2);
        u2.ticketChanged({ key: 'GC-inner', organizationId: 'o' });
        return 'inner ok';
      });
      const failed = await inTransaction(store, undefined, async (t3, u3) => {
        await sql`insert into gc_parent (id) values ('p3')`.execute(t3);
        u3.ticketChanged({ key: 'GC-inner-failed', organizationId: 'o' });
        throw new Error('inner refused');
      }).catch((e: Error) => e.message);
      return [inner, failed];
    });
    await feed.settle();
    feed.stop();
    expect(result).toEqual(['inner ok', 'inner refused']);
    const parents = await sql<{ id: string }>`select id from gc_parent order by id`.execute(store.db);
    expect(parents.rows.map((r) => r.id)).toEqual(['p1', 'p2']);
    expect(feed.keys.filter((k) => k.startsWith('GC-')).sort()).toEqual(['GC-inner', 'GC-outer']);
  });

  it('many concurrent changes share few commits', async () => {
    const before = groupCommitStats(store);
    const done = await Promise.all(
      Array.from({ length: 40 }, (_, i) => inTransaction(store, undefined, async (trx) => {
        await sql`insert into gc_parent (id) values (${`many-${i}`})`.execute(trx);
        return i;
      })),
    );
    expect(done).toHaveLength(40);
    const after = groupCommitStats(store);
    expect(after.members - before.members).toBe(40);
    expect(after.transactions - before.transactions).toBeLessThanOrEqual(2);
  });
});
