/**
 * Issue 16, item 6 (tested part): SIGTERM to `escalon serve` under load.
 *
 * PostgreSQL, two nodes: tickets are created over HTTP on both, their timers fire and their
 * mails go to a slow SMTP server (each message answered 250 ms after it arrived, so a node is
 * always in the middle of a delivery pass with rows claimed). An event stream is open on the
 * node that is stopped. On SIGTERM the node must stop taking requests (its port refuses or
 * answers 503), end the stream, finish its timer batch and the mails it has begun, give back the
 * outbox rows it claimed but had not begun, and exit 0 — the database shows it holding no timer
 * lease and no outbox claim. The other node then sends the rows given back: how promptly is
 * printed, and asserted only against the outbox lease (15 s) that would otherwise have held them.
 * At the end nothing acknowledged is lost, no timer event is lost or doubled, every mail went
 * out exactly once (a graceful stop resends nothing).
 *
 * SQLite, one node: SIGTERM under load, exit 0, restart; the same checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/connect.ts';
import { createPostgresDatabase, createSqliteDatabase, pgUnavailable } from '../helpers/db.ts';
import { claimsOf, createTickets, ensureBuilt, HORIZON_MS, prepareDatabase, ServeNode, settle, sleep, startSmtpSink, verify, type SmtpSink } from './serve-cluster.ts';

const REQUIRED = process.env.ESCALON_REQUIRE_ALL_SUITES === '1';
/** The outbox lease (dispatcher.ts DEFAULT_DISPATCHER_OPTIONS.leaseMs): how long a killed node's claimed rows wait. */
const OUTBOX_LEASE_MS = 15_000;

/** Opens GET /api/v1/stream; resolves `ended` when the server ends the response. */
async function openStream(node: ServeNode, token: string): Promise<{ ended: Promise<'ended'>; abort: () => void }> {
  const ac = new AbortController();
  const r = await fetch(`${node.base}/api/v1/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: ac.signal });
  expect(r.status).toBe(200);
  const reader = (r.body as ReadableStream<Uint8Array>).getReader();
  const ended = (async () => {
    try {
      for (;;) {
        const { done } = await reader.read();
        if (done) return 'ended' as const;
      }
    } catch {
      return 'ended' as const;
    }
  })();
  return { ended, abort: () => ac.abort() };
}

/** A request to a stopping node: refused at the socket, or 503 — never acknowledged. */
async function probe(node: ServeNode, token: string): Promise<string> {
  try {
    const r = await fetch(`${node.base}/api/v1/tickets?limit=1`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    return String(r.status);
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
  }
}

function figuresLine(label: string, extra: Record<string, unknown>, f: Awaited<ReturnType<typeof verify>>): void {
  console.log(`[graceful] ${label}: ${JSON.stringify({ ...extra, acked: f.acked, inDb: f.ticketsInDb, events: f.timerEventsExpected, lost: f.timerEventsLost, doubled: f.timerEventsDoubled, mails: f.outboxRows, resent: f.mailsResentCopies, latestMs: f.latestFiringMs })}`);
}

function expectNothingLost(f: Awaited<ReturnType<typeof verify>>): void {
  expect(f.lostAcked, 'acknowledged tickets lost').toBe(0);
  expect(f.timersLeft, 'timers left due').toBe(0);
  expect(f.differing, "tickets whose events differ from the engine's account").toEqual([]);
  expect(f.timerEventsLost).toBe(0);
  expect(f.timerEventsDoubled).toBe(0);
  expect(f.timerEventsExpected).toBeGreaterThan(f.ticketsInDb * 4);
  expect(f.mailsUndelivered, 'outbox rows not sent').toBe(0);
  expect(f.mailsMissing, 'sent rows whose mail never arrived').toBe(0);
  expect(f.mailsUnknown).toBe(0);
  expect(f.mailsResentCopies, 'a graceful stop resends nothing').toBe(0);
}

const pgUnavailableRequired = pgUnavailable && REQUIRED;
describe.skipIf(pgUnavailable !== null && !REQUIRED)('escalon serve: SIGTERM under load, two nodes [postgres]', () => {
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let sink: SmtpSink | undefined;
  const nodes: ServeNode[] = [];
  beforeAll(async () => {
    if (pgUnavailableRequired) return;
    await ensureBuilt();
    db = await createPostgresDatabase();
    sink = await startSmtpSink();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
    await sink?.close();
    await db?.drop();
  });

  it('stops taking requests, ends its streams, finishes its batch, gives its claims back at once, exits 0; the other node takes over; nothing lost or doubled', async () => {
    if (pgUnavailableRequired) throw new Error(`needs PostgreSQL (ESCALON_REQUIRE_ALL_SUITES=1): ${pgUnavailable}`);
    if (!db || !sink) throw new Error('not ready');
    const p = await prepareDatabase(db.url);
    // A slow mail server (1 s per message, 8 at a time per node): mail backs up, and a node's pass
    // holds more claimed rows than it has begun.
    sink.delayMs = 1000;
    const a = new ServeNode('a', 42400, p.url, sink.port);
    const b = new ServeNode('b', 42401, p.url, sink.port);
    nodes.push(a, b);
    await Promise.all([a.start(), b.start()]);
    const stream = await openStream(a, p.token);
    const store = openStore(p.url, { poolSize: 2 });
    try {
      const load = createTickets(() => nodes, p.token, p.requesterId, 60, 6);
      // Wait until A is mid-pass: it holds outbox claims (the slow SMTP server keeps it there).
      const guard = Date.now() + 30_000;
      let claimed: string[] = [];
      while (Date.now() < guard) {
        const rows = await store.db.selectFrom('outbox').select('id').where('status', '=', 'sending').where('lease_owner', 'like', `${a.owner}:%`).execute();
        if (rows.length >= 24) {
          claimed = rows.map((r) => r.id);
          break;
        }
        await sleep(50);
      }
      expect(claimed.length, 'node A held outbox claims before SIGTERM').toBeGreaterThanOrEqual(24);
      const pid = a.child?.pid ?? 0;
      const termAt = Date.now();
      const exit = a.terminate();
      // The mail server speeds up: B's pass in flight ends soon, so its next one can take what A gives back.
      sink.delayMs = 50;
      // It stops taking requests at once (refused, or 503 on a kept-alive connection).
      while (!/Escalon stopping/.test(a.output)) await sleep(10);
      const answers: string[] = [];
      for (let i = 0; i < 3; i++) answers.push(await probe(a, p.token));
      // A number is an HTTP answer: only 503 may come; anything else is the connection refused or closed.
      expect(answers.every((x) => !/^\d+$/.test(x) || x === '503'), `answers while stopping: ${answers.join(', ')}`).toBe(true);
      expect(await Promise.race([stream.ended, sleep(20_000).then(() => 'still open')]), 'the event stream was ended').toBe('ended');
      const { code } = await exit;
      const exitedAt = Date.now();
      expect(code, a.output).toBe(0);
      expect(a.output).toMatch(/Escalon stopped\./);
      // Nothing left claimed by A: no timer lease, no outbox row in `sending`.
      const held = await claimsOf(store, a, pid);
      expect(held, 'claims A still holds after exiting').toEqual({ timers: 0, mail: 0 });
      // The rows A had claimed but not begun went back to pending and B took them: a row's sent_at
      // is the start of the pass that sent it, so A's are before the signal and B's after A let go.
      const until = Date.now() + 60_000;
      let rows: Array<{ status: string; sent_at: number | null }> = [];
      for (;;) {
        rows = await store.db.selectFrom('outbox').select(['status', 'sent_at']).where('id', 'in', claimed).execute();
        if (rows.every((r) => r.status === 'sent' || r.status === 'merged')) break;
        if (Date.now() > until) throw new Error('the rows A claimed were not all sent within 60 s');
        await sleep(50);
      }
      const takenOver = rows.filter((r) => Number(r.sent_at) > termAt);
      const takeoverMs = Math.max(...takenOver.map((r) => Number(r.sent_at))) - exitedAt;
      expect(takenOver.length, 'rows A claimed but had not begun were given back and sent by B').toBeGreaterThan(0);
      // Generous (a loaded machine): B took them before the outbox lease would have let it.
      expect(takeoverMs, 'B took the rows A gave back before the outbox lease would have freed them').toBeLessThan(OUTBOX_LEASE_MS);
      const result = await load;
      const last = await store.db.selectFrom('tickets').select((eb) => eb.fn.max('created_at').as('m')).executeTakeFirstOrThrow();
      await settle(store, Number(last.m ?? 0) + HORIZON_MS);
      await sleep(500);
      const f = await verify(store, p, result.acked, sink);
      // takeoverMs: B's last claim of a given-back row, after A's exit (negative: before A had exited).
      figuresLine('postgres x2', { stopMs: exitedAt - termAt, claimedAtTerm: claimed.length, givenBack: takenOver.length, takeoverMs, takeoverAfterSignalMs: takeoverMs + exitedAt - termAt, refused: result.refused }, f);
      expectNothingLost(f);
    } finally {
      stream.abort();
      await store.close();
    }
  }, 180_000);
});

describe('escalon serve: SIGTERM under load, one node [sqlite]', () => {
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let sink: SmtpSink | undefined;
  let node: ServeNode | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    db = await createSqliteDatabase();
    sink = await startSmtpSink();
  }, 120_000);
  afterAll(async () => {
    await node?.dispose();
    await sink?.close();
    await db?.drop();
  });

  it('exits 0 leaving no outbox row claimed; restarted, nothing is lost or doubled', async () => {
    if (!db || !sink) throw new Error('not ready');
    const p = await prepareDatabase(db.url);
    sink.delayMs = 150;
    const n = new ServeNode('s', 42410, p.url, sink.port);
    node = n;
    await n.start();
    const stream = await openStream(n, p.token);
    const store = openStore(p.url);
    try {
      const load = createTickets(() => [n], p.token, p.requesterId, 36, 6);
      await sleep(3_000);
      const exit = n.terminate();
      expect(await Promise.race([stream.ended, sleep(20_000).then(() => 'still open')]), 'the event stream was ended').toBe('ended');
      const { code } = await exit;
      expect(code, n.output).toBe(0);
      const sending = await store.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'sending').executeTakeFirstOrThrow();
      expect(Number(sending.n), 'outbox rows left claimed by the stopped node').toBe(0);
      await sleep(500);
      await n.start();
      const result = await load;
      const last = await store.db.selectFrom('tickets').select((eb) => eb.fn.max('created_at').as('m')).executeTakeFirstOrThrow();
      await settle(store, Number(last.m ?? 0) + HORIZON_MS);
      await sleep(500);
      const f = await verify(store, p, result.acked, sink);
      figuresLine('sqlite x1', { refused: result.refused }, f);
      expectNothingLost(f);
    } finally {
      stream.abort();
      await store.close();
    }
  }, 180_000);
});
