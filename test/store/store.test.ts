import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { migrateToLatest, pendingMigrations } from '../../src/store/migrate.ts';
import { newId } from '../../src/store/new-id.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

describeStores('store', (ctx) => {
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  beforeAll(async () => {
    deps = depsFor(ctx.store);
    cast = await makeCast(deps);
  });

  it('is fully migrated, and migrating again applies nothing', async () => {
    expect(await pendingMigrations(ctx.store)).toEqual([]);
    expect((await migrateToLatest(ctx.store)).applied).toEqual([]);
  });

  it('returns instants and counters as numbers on every dialect', async () => {
    const at = Date.UTC(2030, 0, 1, 12, 0, 0, 123);
    deps.clock.set(at);
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 's', body: 'b' });
    const row = await ctx.store.db.selectFrom('tickets').select(['created_at', 'number', 'version']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ created_at: at, number: expect.any(Number), version: 1 });
    const ev = await ctx.store.db.selectFrom('events').select(['at', 'internal']).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(ev).toEqual({ at, internal: 0 });
  });

  it('hands out distinct ticket numbers under concurrent creation', async () => {
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => createTicket(deps, cast.actors.customerB, { subject: `c${i}`, body: 'b' })));
    const numbers = made.map((m) => Number(m.ticket.key.slice(4)));
    expect(new Set(numbers).size).toBe(12);
  });

  it('enforces foreign keys and unique timer keys', async () => {
    await expect(
      ctx.store.db.insertInto('events').values({ id: newId(), ticket_id: 'missing', at: 1, recorded_at: 1, type: 'x', actor: 'system', payload: '{}', internal: 0 }).execute(),
    ).rejects.toThrow();
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 't', body: 'b' });
    const timer = { ticket_id: ticket.id, kind: 'sla:resolution', due_at: 5, payload: '{}', created_at: 1 };
    await ctx.store.db.insertInto('timers').values({ id: newId(), ...timer }).execute();
    await expect(ctx.store.db.insertInto('timers').values({ id: newId(), ...timer }).execute()).rejects.toThrow();
  });

  it('applies the durability settings on SQLite', async () => {
    if (ctx.dialect !== 'sqlite') return;
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(ctx.store.db);
    const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(ctx.store.db);
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(ctx.store.db);
    expect([mode.rows[0]?.journal_mode, sync.rows[0]?.synchronous, fk.rows[0]?.foreign_keys]).toEqual(['wal', 2, 1]);
  });
});
