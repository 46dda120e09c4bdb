/**
 * Live updates across nodes with real `escalon serve` processes (the compiled server): two nodes
 * on one fresh PostgreSQL database; an SSE client of node B hears the key of a ticket commented
 * through node A's API. On SQLite (one process) the stream keeps the in-process path: an SSE
 * client hears a comment made through the same server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../src/app/seed-demo.ts';
import { openStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { describePostgres } from '../helpers/db.ts';
import { demoPostgresDatabase, openStream, sessionCookie, startServeNode, type ServeNode } from '../helpers/serve-nodes.ts';

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function comment(base: string, cookie: string, key: string, body: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/tickets/${key}/comments`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ body, public: false }) });
  expect(res.status, await res.clone().text()).toBe(201);
  return Date.now();
}

async function openTicketKeys(base: string, cookie: string): Promise<string[]> {
  const list = (await (await fetch(`${base}/api/v1/tickets?limit=50`, { headers: { cookie } })).json()) as { items: Array<{ key: string; status: string }> };
  return list.items.filter((t) => t.status !== 'closed' && t.status !== 'solved').map((t) => t.key);
}

describePostgres('live updates across two `escalon serve` nodes', () => {
  let drop: () => Promise<void> = async () => undefined;
  const nodes: ServeNode[] = [];

  beforeAll(async () => {
    const db = await demoPostgresDatabase(20);
    drop = db.drop;
    nodes.push(await startServeNode(db.url), await startServeNode(db.url));
  }, 180_000);
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await drop();
  });

  it("an SSE client on node B receives the key of a ticket commented through node A's API", async () => {
    const [a, b] = nodes;
    if (!a || !b) throw new Error('two nodes');
    const cookieA = await sessionCookie(a.url, 'ana@example.com', DEMO_PASSWORD);
    const cookieB = await sessionCookie(b.url, 'lina@example.com', DEMO_PASSWORD);
    const [key, other] = await openTicketKeys(a.url, cookieA);
    if (!key || !other) throw new Error('the demo has open tickets');
    const stream = await openStream(b.url, cookieB);
    try {
      await stream.opened;
      // The node's listener may connect just now (first stream): its refresh comes first, then changes.
      await new Promise((r) => setTimeout(r, 300));
      await comment(a.url, cookieA, key, 'from node A');
      await until(`${key} on node B's stream`, () => stream.keys.some((k) => k.key === key));
      // And the other way: B's change reaches a stream on A, while B's own stream hears it once.
      const streamA = await openStream(a.url, cookieA);
      try {
        await streamA.opened;
        await new Promise((r) => setTimeout(r, 300));
        const before = stream.keys.length;
        await comment(b.url, cookieB, other, 'from node B');
        await until(`${other} on node A's stream`, () => streamA.keys.some((k) => k.key === other));
        await until(`${other} on node B's own stream`, () => stream.keys.length > before);
        await new Promise((r) => setTimeout(r, 500));
        expect(stream.keys.slice(before).filter((k) => k.key === other)).toHaveLength(1);
      } finally {
        streamA.close();
      }
    } finally {
      stream.close();
    }
    for (const n of nodes) expect(n.output()).not.toMatch(/unhandled|TypeError/i);
  }, 60_000);
});

describe('live updates on SQLite (one `escalon serve`: the in-process path)', () => {
  let node: ServeNode | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'escalon-live-sqlite-'));

  beforeAll(async () => {
    const url = `sqlite:${join(dir, 'escalon.db')}`;
    const store = openStore(url);
    await migrateToLatest(store);
    await seedDemo(store, { tickets: 20 });
    await store.close();
    node = await startServeNode(url);
  }, 180_000);
  afterAll(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an SSE client hears the key of a ticket commented through the same server', async () => {
    if (!node) throw new Error('node');
    const cookie = await sessionCookie(node.url, 'ana@example.com', DEMO_PASSWORD);
    const [key] = await openTicketKeys(node.url, cookie);
    if (!key) throw new Error('the demo has open tickets');
    const stream = await openStream(node.url, cookie);
    try {
      await stream.opened;
      await comment(node.url, cookie, key, 'same node');
      await until(`${key} on the stream`, () => stream.keys.some((k) => k.key === key));
      expect(stream.refreshes).toEqual([]);
    } finally {
      stream.close();
    }
  }, 60_000);
});
