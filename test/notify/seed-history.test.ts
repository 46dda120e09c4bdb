/**
 * Seeding replays two weeks of history through the engine; none of the notifications of those
 * past moments may reach anyone when the demo is served with a real SMTP server.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../../src/app/seed-demo.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createDispatcher } from '../../src/notify/dispatcher.ts';
import { describeStores } from '../helpers/db.ts';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';

const NOW = Date.parse('2026-12-01T15:00:00Z');

describeStores('seeded history sends no mail', (s) => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });

  it('serving a freshly seeded demo with SMTP configured sends nothing for the seeded past', async () => {
    await seedDemo(s.store, { tickets: 60, now: NOW }); // the demo breaches rarely in its history: enough tickets for its notices
    const rows = await s.store.db.selectFrom('outbox').select(['status', 'last_error']).execute();
    expect(rows.length).toBeGreaterThan(10); // the history did notify, in the outbox
    expect(new Set(rows.map((r) => `${r.status}: ${r.last_error ?? ''}`))).toEqual(new Set(['cancelled: history: not sent']));
    const email = createEmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: 'escalon@support.example.com', timeoutMs: 5000 });
    const clock = new ManualClock(NOW);
    const dispatcher = createDispatcher({ store: s.store, clock, channels: { email }, links: { publicUrl: 'https://escalon.example.com' } });
    expect(await dispatcher.drain()).toBe(0);
    clock.advance(3_600_000);
    expect(await dispatcher.drain()).toBe(0);
    await email.close?.();
    expect(sink.received).toEqual([]);
    // No timeline line per cancelled message either.
    const lines = await s.store.db.selectFrom('events').select('type').where('type', 'in', ['notification.sent', 'notification.failed']).execute();
    expect(lines).toEqual([]);
  }, 60_000);
});
