// Live updates across nodes (issue 16): on PostgreSQL a transaction that changed tickets
// announces their keys and organization ids with pg_notify at its COMMIT; every other node's
// feed (its store's one LISTEN connection) publishes them, its own are skipped. A rolled-back
// change is never heard; many changed tickets are split into payloads under PostgreSQL's
// 8000-byte cap; a listener that reconnects tells its streams to refresh, and delivery goes on.
// Two stores in one test process are the two "nodes" here (test/cli/live-across-nodes.test.ts
// runs real `escalon serve` processes).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addComment } from '../../src/app/add-comment.ts';
import { feedOf, type TicketChanged } from '../../src/app/change-feed.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { inTransaction } from '../../src/app/unit-of-work.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { commitSql, decodeNotice, encodeNotices, NOTIFY_BYTES } from '../../src/store/ticket-notify.ts';
import { createPostgresDatabase, describePostgres } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ORG = '01936f0e-7d1c-7a3b-9c2d-000000000001';

describe('ticket notifications: the payload', () => {
  it('splits many keys into payloads under the cap, and reads them back with their organizations', () => {
    const changes: TicketChanged[] = [];
    for (let i = 0; i < 3000; i++) changes.push({ key: `ESC-${100000 + i}`, organizationId: i % 3 === 0 ? ORG : ORG.replace(/1$/, '2') });
    const payloads = encodeNotices('nodeA', changes);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(NOTIFY_BYTES);
    const back = payloads.flatMap((p) => decodeNotice(p)?.changes ?? []);
    expect(back.map((c) => `${c.organizationId}/${c.key}`).sort()).toEqual(changes.map((c) => `${c.organizationId}/${c.key}`).sort());
    expect(payloads.every((p) => decodeNotice(p)?.node === 'nodeA')).toBe(true);
  });

  it('sends nothing for a transaction that changed no ticket; quotes in a payload are escaped', () => {
    expect(encodeNotices('n', [])).toEqual([]);
    expect(commitSql([])).toBe('commit');
    expect(commitSql(["{\"o\":\"it's\"}"])).toBe(`select pg_notify('escalon_tickets', '{"o":"it''s"}'); commit`);
  });

  it('ignores payloads it cannot read', () => {
    expect(decodeNotice('users')).toBeUndefined();
    expect(decodeNotice('{"n":1}')).toBeUndefined();
  });
});

describePostgres('live updates across two nodes', () => {
  let url = '';
  let drop: () => Promise<void> = async () => undefined;
  let a: Store;
  let b: Store;
  let cast: Cast;
  const heardOnA: TicketChanged[] = [];
  const heardOnB: TicketChanged[] = [];
  let refreshesOnB = 0;

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    url = created.url;
    drop = created.drop;
    a = openStore(url, { poolSize: 3 });
    b = openStore(url, { poolSize: 3 });
    feedOf(a).subscribe((c) => heardOnA.push(c));
    feedOf(b).subscribe((c) => heardOnB.push(c));
    feedOf(b).onRefresh(() => refreshesOnB++);
    await a.listener?.().ready();
    await b.listener?.().ready();
    cast = await makeCast(depsFor(a));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop();
  });

  it("a comment committed on node A is heard on node B with the ticket's organization, once on each node", async () => {
    const deps = depsFor(a);
    const { ticket } = await createTicket(deps, cast.actors.agent, { requesterId: cast.actors.customerA.userId, subject: 'VPN down', body: 'cannot connect' });
    await until('the creation heard on B', () => heardOnB.some((c) => c.key === ticket.key));
    // (B may hear it before A's own commit has returned: PostgreSQL signals listeners during the commit.)
    await until('the creation published on A', () => heardOnA.some((c) => c.key === ticket.key));
    const before = heardOnB.length;
    const beforeA = heardOnA.length;
    await addComment(deps, cast.actors.agent, ticket.key, { body: 'looking into it', public: true });
    await until('the comment heard on B', () => heardOnB.length > before);
    expect(heardOnB.slice(before)).toEqual([{ key: ticket.key, organizationId: cast.orgA }]);
    // Node A published its own change locally (once), and skipped its own notification.
    await until('published on A', () => heardOnA.length > beforeA);
    await new Promise((r) => setTimeout(r, 200));
    expect(heardOnA.slice(beforeA)).toEqual([{ key: ticket.key, organizationId: cast.orgA }]);
    expect(feedOf(a).stats.ownSkipped).toBeGreaterThan(0);
  });

  it('a rolled-back change is never heard; the next committed one is', async () => {
    await inTransaction(a, undefined, async (_trx, uow) => {
      uow.ticketChanged({ key: 'RB-1', organizationId: cast.orgA });
      throw new Error('roll back');
    }).catch(() => undefined);
    await inTransaction(a, undefined, async (trx, uow) => {
      await trx.selectFrom('tickets').select('id').limit(1).execute();
      uow.ticketChanged({ key: 'RB-2', organizationId: cast.orgB });
    });
    // Notifications arrive in commit order: once RB-2 is here, RB-1 would have been before it.
    await until('RB-2 on B', () => heardOnB.some((c) => c.key === 'RB-2'));
    expect(heardOnB.filter((c) => c.key.startsWith('RB-'))).toEqual([{ key: 'RB-2', organizationId: cast.orgB }]);
  });

  it('one transaction changing 2000 tickets is heard whole on B, in payloads under the cap', async () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `BATCH-${i}`);
    await inTransaction(a, undefined, async (_trx, uow) => {
      keys.forEach((key, i) => uow.ticketChanged({ key, organizationId: i % 2 ? cast.orgA : cast.orgB }));
    });
    const got = () => heardOnB.filter((c) => c.key.startsWith('BATCH-'));
    await until('all 2000 published on B', () => got().length >= 2000);
    await new Promise((r) => setTimeout(r, 200));
    expect(got()).toHaveLength(2000);
    expect(new Set(got().map((c) => c.key)).size).toBe(2000);
    expect(got().find((c) => c.key === 'BATCH-1')?.organizationId).toBe(cast.orgA);
    expect(got().find((c) => c.key === 'BATCH-2')?.organizationId).toBe(cast.orgB);
  });

  it("B's listener killed (pg_terminate_backend): B's streams are told to refresh, and later changes still arrive", async () => {
    const refreshes = refreshesOnB;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // Every LISTEN connection of this database (both nodes'): each must come back on its own.
      const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'listen %' and pid <> pg_backend_pid()`);
      expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
    await until('a refresh on B', () => refreshesOnB > refreshes);
    await until('B listening again', () => b.listener?.().connected === true);
    await until('A listening again', () => a.listener?.().connected === true);
    const { ticket } = await createTicket(depsFor(a), cast.actors.agent, { requesterId: cast.actors.customerB.userId, subject: 'after the cut', body: 'still there?' });
    await until('the change after reconnecting, on B', () => heardOnB.some((c) => c.key === ticket.key));
    expect(heardOnB.find((c) => c.key === ticket.key)?.organizationId).toBe(cast.orgB);
  });
});
