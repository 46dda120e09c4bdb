// GET /api/v1/stream: server-sent events with the keys of changed tickets, over a real socket;
// a customer hears only of their own organization's tickets; more keys than one message carries
// become one `refresh` (what a stream holds stays bounded).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { feedOf } from '../../src/app/change-feed.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { MAX_KEYS } from '../../src/http/routes/stream.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

describeStores('event stream', (ctx) => {
  let t: TestApp;
  let base = '';
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.app.close();
  });

  /** Opens the stream as `who`; `next()` resolves with the keys of the next `tickets` event. */
  async function open(who: Person) {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/stream`, { headers: { ...t.auth(who), accept: 'text/event-stream' }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    /** The keys of the next `tickets` event, or 'refresh'. */
    const nextEvent = async (): Promise<string[] | 'refresh'> => {
      for (;;) {
        const m = /event: (tickets|refresh)\ndata: (.*)\n\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice((m.index ?? 0) + m[0].length);
          return m[1] === 'refresh' ? 'refresh' : (JSON.parse(m[2] ?? '{}') as { keys: string[] }).keys;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    /** The keys of the next `tickets` event (a refresh — PostgreSQL: the node's listener just connected — skipped). */
    const next = async (): Promise<string[]> => {
      for (;;) {
        const e = await nextEvent();
        if (e !== 'refresh') return e;
      }
    };
    return { next, nextEvent, close: () => controller.abort() };
  }

  it('tells staff of every change and a customer of their own organization only', async () => {
    const agent = await open('agent');
    const customerB = await open('customerB');
    const a = await createTicket(t.deps, t.cast.actors.customerA, { subject: 'A', body: 'a' });
    expect(await agent.next()).toEqual([a.ticket.key]);
    const b = await createTicket(t.deps, t.cast.actors.customerB, { subject: 'B', body: 'b' });
    // customerB's first message is about B: A (another organization) never reached it.
    expect(await customerB.next()).toEqual([b.ticket.key]);
    expect(await agent.next()).toEqual([b.ticket.key]);
    agent.close();
    customerB.close();
  });

  it('more changed tickets than one message carries: one refresh instead, then keys again', async () => {
    const agent = await open('agent');
    // Wait for the stream to be subscribed: a first change comes through as keys.
    const first = await createTicket(t.deps, t.cast.actors.customerA, { subject: 'first', body: 'x' });
    expect(await agent.next()).toEqual([first.ticket.key]);
    const feed = feedOf(ctx.store);
    for (let i = 0; i <= MAX_KEYS; i++) feed.publish({ key: `MANY-${i}`, organizationId: t.cast.orgA });
    expect(await agent.nextEvent()).toBe('refresh');
    const after = await createTicket(t.deps, t.cast.actors.customerA, { subject: 'after', body: 'y' });
    expect(await agent.nextEvent()).toEqual([after.ticket.key]);
    agent.close();
  });

  it('refuses a client that does not accept an event stream, and anyone not signed in', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/api/v1/stream', headers: t.auth('agent') });
    expect(plain.statusCode).toBe(400);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/stream', headers: { accept: 'text/event-stream' } });
    expect(anonymous.statusCode).toBe(401);
  });
});
