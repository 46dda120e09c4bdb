import { beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { createDispatcher } from '../../src/notify/dispatcher.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { queue } from '../notify/support/queue.ts';

describeStores('GET /tickets/:ref/notifications', (s) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(s.store);
  });

  it('shows one entry per message with its current state and why; retries never add entries', async () => {
    const { ticket } = await createTicket(t.deps, t.cast.actors.customerA, { subject: 'Mail later', body: 'x' });
    await queue(t.deps.store, { ticketId: ticket.id, recipient: 'lina@example.com', template: 'idle-reminder', at: t.deps.clock.now(), rule: 'idle' });
    const d = createDispatcher({ store: t.deps.store, clock: t.deps.clock, channels: {}, links: { publicUrl: 'https://x.example' } });
    for (let i = 0; i < 3; i++) {
      await d.drain();
      t.deps.clock.advance(600_000);
    }
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/notifications`, headers: t.auth('agent') });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toMatchObject([
      { template: 'idle-reminder', channel: 'email', recipient: 'lina@example.com', state: 'waiting', attempts: 0, reason: 'waiting: no email channel', sent_at: null, rule: 'idle' },
    ]);
  });

  it('is for staff only: a customer is refused', async () => {
    const { ticket } = await createTicket(t.deps, t.cast.actors.customerA, { subject: 'Mine', body: 'x' });
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/notifications`, headers: t.auth('customerA') });
    expect(res.statusCode).toBe(403);
  });
});
