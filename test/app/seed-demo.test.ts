/**
 * The demo is believable at any start: seeded with an injected clock at several "now"s (a US
 * holiday, a Saturday night, a Monday morning), the queues show running countdowns, warnings due
 * within 30 minutes, fresh breaches, an escalation rate like real teams', CSAT answers, reviews
 * with lessons, and ticket texts from the shipped corpus.
 */
import { expect, it } from 'vitest';
import { DEMO_CORPUS } from '../../src/app/demo-corpus.ts';
import { seedDemo } from '../../src/app/seed-demo.ts';
import { createSqliteDatabase, describeStores } from '../helpers/db.ts';
import { openStore } from '../../src/store/connect.ts';
import { demoFacts, type DemoFacts } from './demo-facts.ts';

const MIN = 60_000;

function expectBelievable(f: DemoFacts): void {
  expect(f.tickets).toBe(160);
  expect(f.runningClocks).toBeGreaterThanOrEqual(8);
  expect(f.warningsWithin30m).toBeGreaterThanOrEqual(3);
  expect(f.firstTimerIn).toBeLessThanOrEqual(10 * MIN);
  expect(f.freshBreaches).toBeGreaterThanOrEqual(2);
  expect(f.escalated / f.tickets).toBeGreaterThanOrEqual(0.1);
  expect(f.escalated / f.tickets).toBeLessThanOrEqual(0.25);
  expect(f.csat).toBeGreaterThan(20);
  expect(f.reviews).toBe(2);
  expect(f.distinctOpenBodies).toBe(true);
  expect(f.corpusTextsUsed).toBeGreaterThanOrEqual(40);
}

// A US holiday (Thanksgiving: the business calendar is closed all day), a Saturday night, a Monday morning in New York.
const STARTS = ['2026-11-26T04:00:00Z', '2026-11-28T23:30:00Z', '2026-11-30T14:10:00Z'];

for (const start of STARTS) {
  it(`a demo started at ${start} shows running countdowns, warnings within 30 minutes, fresh breaches and 10–25% escalated`, async () => {
    const { url, drop } = await createSqliteDatabase();
    const store = openStore(url);
    try {
      const now = Date.parse(start);
      await seedDemo(store, { now });
      const facts = await demoFacts(store, now);
      expectBelievable(facts);
    } finally {
      await store.close();
      await drop();
    }
  }, 300_000);
}

describeStores('the demo on each store', (ctx) => {
  it('seeds the corpus with its promises', async () => {
    const now = Date.parse('2026-12-02T16:45:00Z');
    await seedDemo(ctx.store, { now });
    expectBelievable(await demoFacts(ctx.store, now));
    const bodies = await ctx.store.db.selectFrom('tickets').select('body').execute();
    for (const text of DEMO_CORPUS.slice(0, 5)) expect(bodies.some((b) => b.body.includes(text.body))).toBe(true);
  }, 300_000);
});
