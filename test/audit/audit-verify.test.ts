// Issue 16 item 4: every event is chained to its ticket's previous one; `escalon audit verify`
// finds an SQL edit, a delete, a swap, edits of the hash columns themselves, and — with an
// anchor kept outside the database — a deletion whose traces were tidied up.
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { appendTicketEvents } from '../../src/app/append-ticket-events.ts';
import { inTransaction } from '../../src/app/unit-of-work.ts';
import { register as registerAudit } from '../../src/cli/audit.ts';
import type { Database } from '../../src/store/schema.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';
import { runCli } from '../helpers/run-cli.ts';

type EventRow = Database['events'];

describeStores('audit chain: escalon audit verify', (ctx) => {
  let t: TestApp;
  let key = '';
  let ticketId = '';
  const cli = (args: string[]) => runCli([registerAudit], ['audit', ...args], ctx.url);
  const events = async (): Promise<EventRow[]> =>
    (
      await ctx.store.db
        .selectFrom('events')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .orderBy('seq')
        .execute()
    ).map((r) => ({ ...r, seq: Number(r.seq) }));
  const restore = async (rows: EventRow[]) => {
    for (const r of rows) await ctx.store.db.updateTable('events').set(r).where('id', '=', r.id).execute();
  };
  const ok = async () => {
    const r = await cli(['verify']);
    expect(r.stdout + r.stderr).toMatch(/audit verify: ok/);
    expect(r.code).toBe(0);
  };

  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: t.auth('customerA'),
      payload: { subject: 'Printer on fire', body: 'It is smoking.' },
    });
    expect(made.statusCode, made.body).toBe(201);
    key = (made.json() as { key: string }).key;
    ticketId = (
      await ctx.store.db.selectFrom('tickets').select('id').where('key', '=', key).executeTakeFirstOrThrow()
    ).id;
    for (const [who, body] of [
      ['agent', 'Please unplug it.'],
      ['customerA', 'Done, still smoking.'],
      ['agent', 'Calling the fire brigade.'],
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/tickets/${key}/comments`,
        headers: t.auth(who),
        payload: { body, public: true },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    // A second ticket, untouched by the tampering below.
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: t.auth('customerB'),
      payload: { subject: 'Other', body: 'Other ticket' },
    });
  });

  it('every event written has its position and hash; the ticket row holds the head', async () => {
    const rows = await events();
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    for (const r of rows) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    const tk = await ctx.store.db
      .selectFrom('tickets')
      .select(['audit_seq', 'audit_head'])
      .where('id', '=', ticketId)
      .executeTakeFirstOrThrow();
    expect(Number(tk.audit_seq)).toBe(rows.length);
    expect(tk.audit_head).toBe(rows[rows.length - 1]?.hash);
    await ok();
  });

  it("an SQL UPDATE of an event's actor is reported with the ticket key and position, then passes once undone", async () => {
    const rows = await events();
    const victim = rows[2]!;
    await ctx.store.db
      .updateTable('events')
      .set({ actor: 'user:someone-else' })
      .where('id', '=', victim.id)
      .execute();
    const r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `EDITED: ticket ${key} position 3: event ${victim.id} (${victim.type}) does not match its hash (edited)`,
    );
    expect(r.stdout).toMatch(/audit verify: FAILED — 1 problem\(s\)/);
    await restore([victim]);
    await ok();
  });

  it('an edit of the payload is found too', async () => {
    const rows = await events();
    const victim = rows.find((e) => e.type === 'comment.added')!;
    await ctx.store.db
      .updateTable('events')
      .set({ payload: victim.payload.replace('"public":true', '"public":false') })
      .where('id', '=', victim.id)
      .execute();
    const r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`ticket ${key} position ${victim.seq}: event ${victim.id}`);
    await restore([victim]);
  });

  it('a DELETE of an event in the middle and of the last event', async () => {
    const rows = await events();
    const middle = rows[1]!;
    await ctx.store.db.deleteFrom('events').where('id', '=', middle.id).execute();
    let r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`DELETED: ticket ${key} position 2: event(s) missing (deleted)`);
    await ctx.store.db.insertInto('events').values(middle).execute();
    await ok();
    const last = rows[rows.length - 1]!;
    await ctx.store.db.deleteFrom('events').where('id', '=', last.id).execute();
    r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `DELETED: ticket ${key} position ${last.seq}: the last event(s) are missing (deleted)`,
    );
    await ctx.store.db.insertInto('events').values(last).execute();
    await ok();
  });

  it('a swap of two events (their positions) is reported as reordered', async () => {
    const rows = await events();
    const [a, b] = [rows[1]!, rows[2]!];
    await ctx.store.db.updateTable('events').set({ seq: -1 }).where('id', '=', a.id).execute();
    await ctx.store.db.updateTable('events').set({ seq: a.seq }).where('id', '=', b.id).execute();
    await ctx.store.db.updateTable('events').set({ seq: b.seq }).where('id', '=', a.id).execute();
    const r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `REORDERED: ticket ${key} position 2: event ${b.id} (${b.type}) was written at position 3 (reordered)`,
    );
    expect(r.stdout).toContain(
      `REORDERED: ticket ${key} position 3: event ${a.id} (${a.type}) was written at position 2 (reordered)`,
    );
    await restore([a, b]);
    await ok();
  });

  it("a swap of two events' moments (the timeline order) is reported", async () => {
    const rows = await events();
    const [a, b] = [rows[2]!, rows[3]!];
    await ctx.store.db
      .updateTable('events')
      .set({ at: b.at + 1000 })
      .where('id', '=', a.id)
      .execute();
    const r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`ticket ${key} position 3: event ${a.id}`);
    await restore([a]);
  });

  it("edits of the hash columns themselves: an event's hash, its position, the ticket head", async () => {
    const rows = await events();
    const e = rows[1]!;
    await ctx.store.db
      .updateTable('events')
      .set({ hash: 'f'.repeat(64) })
      .where('id', '=', e.id)
      .execute();
    let r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`EDITED: ticket ${key} position 2: event ${e.id}`);
    // The next event is chained to the real hash of position 2: it fails as well.
    expect(r.stdout).toContain(`ticket ${key} position 3:`);
    await restore([e]);
    await ctx.store.db.updateTable('events').set({ seq: null }).where('id', '=', e.id).execute();
    r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `INSERTED: ticket ${key}: event ${e.id} (${e.type}) is not in the chain: inserted outside Escalon`,
    );
    expect(r.stdout).toContain(`DELETED: ticket ${key} position 2: event(s) missing (deleted)`);
    await restore([e]);
    await ctx.store.db
      .updateTable('tickets')
      .set({ audit_head: 'a'.repeat(64) })
      .where('id', '=', ticketId)
      .execute();
    r = await cli(['verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`HEAD: ticket ${key}: the chain head's hash is not the last event's`);
    await ctx.store.db
      .updateTable('tickets')
      .set({ audit_head: rows[rows.length - 1]!.hash })
      .where('id', '=', ticketId)
      .execute();
    await ok();
  });

  it('an anchor kept outside the database catches a deletion whose traces were tidied up (head rewound)', async () => {
    const taken = await cli(['anchor']);
    expect(taken.code, taken.stderr).toBe(0);
    const hash = /audit anchor ([0-9a-f]{64}) /.exec(taken.stdout)?.[1] ?? '';
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    let r = await cli(['verify', '--anchor', hash]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`anchor ${hash} of`);
    const rows = await events();
    const last = rows[rows.length - 1]!;
    const before = rows[rows.length - 2]!;
    // An attacker deletes the last event and rewinds the head: the chain alone looks intact …
    await ctx.store.db.deleteFrom('events').where('id', '=', last.id).execute();
    await ctx.store.db
      .updateTable('tickets')
      .set({ audit_seq: Number(before.seq), audit_head: before.hash })
      .where('id', '=', ticketId)
      .execute();
    // … and removes the stored anchors too: only the operator's copy is left.
    await ctx.store.db.deleteFrom('audit_anchors').execute();
    r = await cli(['verify']);
    expect(r.code).toBe(0);
    r = await cli(['verify', '--anchor', hash]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`anchor ${hash} is not in the anchors table`);
    // With the anchor row still there (or put back from a backup), the missing position is named.
    await cli(['anchor']);
    await ctx.store.db.insertInto('events').values(last).execute();
    await ctx.store.db
      .updateTable('tickets')
      .set({ audit_seq: Number(last.seq), audit_head: last.hash })
      .where('id', '=', ticketId)
      .execute();
    const again = await cli(['anchor']);
    const h2 = /audit anchor ([0-9a-f]{64}) /.exec(again.stdout)?.[1] ?? '';
    await ctx.store.db.deleteFrom('events').where('id', '=', last.id).execute();
    await ctx.store.db
      .updateTable('tickets')
      .set({ audit_seq: Number(before.seq), audit_head: before.hash })
      .where('id', '=', ticketId)
      .execute();
    r = await cli(['verify', '--anchor', h2]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `does NOT match the events it covers; 1 position(s) it covers are missing, e.g. ticket ${key} position ${last.seq}`,
    );
    await ctx.store.db.insertInto('events').values(last).execute();
    await ctx.store.db
      .updateTable('tickets')
      .set({ audit_seq: Number(last.seq), audit_head: last.hash })
      .where('id', '=', ticketId)
      .execute();
    r = await cli(['verify', '--anchor', h2]);
    expect(r.code, r.stdout).toBe(0);
  });

  it('concurrent changes of one ticket (PostgreSQL: parallel transactions) never fork its chain', async () => {
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: t.auth('customerA'),
      payload: { subject: 'Busy ticket', body: 'Many replies at once.' },
    });
    const busy = made.json<{ key: string }>().key;
    const replies = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/tickets/${busy}/comments`,
          headers: t.auth(i % 2 ? 'agent' : 'agent2'),
          payload: { body: `reply ${i}`, public: false },
        }),
      ),
    );
    for (const r of replies) expect(r.statusCode, r.body).toBe(201);
    const row = await ctx.store.db
      .selectFrom('tickets')
      .select(['id', 'organization_id'])
      .where('key', '=', busy)
      .executeTakeFirstOrThrow();
    const id = row.id;
    // Writers that hold no row lock of their own (a ticket reference passed in): the chain-head read locks.
    const ref = { id, key: busy, organizationId: row.organization_id };
    const at = t.deps.clock.now();
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        inTransaction(ctx.store, undefined, (trx, uow) =>
          appendTicketEvents(trx, uow, ref, { at, recordedAt: at, actor: 'system' }, [
            { type: 'test.note', payload: { i }, internal: true },
          ]),
        ),
      ),
    );
    const seqs = (await ctx.store.db.selectFrom('events').select('seq').where('ticket_id', '=', id).execute())
      .map((r) => Number(r.seq))
      .sort((a, b) => a - b);
    expect(seqs.length).toBeGreaterThanOrEqual(41);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    await ok();
  });

  it('a bad --anchor is refused with what to give', async () => {
    const r = await cli(['verify', '--anchor', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--anchor must be a 64-digit lower-case hex hash');
  });

  it('raw SQL count check: no event without a hash', async () => {
    const n = await sql<{ n: number | string }>`select count(*) as n from events where hash is null`.execute(
      ctx.store.db,
    );
    expect(Number(n.rows[0]?.n)).toBe(0);
  });
});
