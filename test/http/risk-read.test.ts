/**
 * Escalation risk, read side (issue 14): the score on a ticket (staff yes, customers never),
 * scores in the ticket list, the "likely to breach" queue (order, team and band filters, paging)
 * and the model's quality on tickets solved since it was trained, against a hand-computed
 * example. Scores are written straight into the tickets' risk columns, as the live scorer would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import type { RiskModelMeta } from '../../src/domain/risk/api.ts';
import { newId } from '../../src/store/new-id.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

interface RiskJson {
  score: number;
  band: string;
  reasons: Array<{ feature: string; effect: number }>;
  at: string | null;
  model: string | null;
}
interface QueueJson {
  model: { id: string; version: number; target: string } | null;
  message: string | null;
  items: Array<{ key: string; risk: RiskJson }>;
  next_cursor: string | null;
}
interface QualityJson {
  model: { id: string } | null;
  message: string | null;
  window: { opened_after: string | null; description: string };
  n: number;
  positives: number;
  auc: number | null;
  brier: number | null;
  calibration_error: number | null;
  reliability: Array<{ from: number; to: number; n: number; predicted: number | null; observed: number | null }>;
  reason: string | null;
  retrain: { advised: boolean; why: string[] };
}

const MODEL_ID = 'model-test-1';
const META: RiskModelMeta = {
  id: MODEL_ID,
  target: 'breach',
  trainedAt: '2026-03-01T12:00:00.000Z',
  trainedThrough: '2026-03-01T00:00:00.000Z',
  tickets: 1234,
  validation: { auc: 0.84, tickets: 300 },
};
const REASONS = [
  { feature: 'priority is urgent', effect: 0.21 },
  { feature: 'reassigned 3 times', effect: 0.12 },
  { feature: 'customer breached twice in 90 days', effect: 0.05 },
  { feature: 'opened in business hours', effect: -0.04 },
];

describeStores('risk: ticket views, the likely-to-breach queue and the model quality', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
  });
  afterAll(async () => {
    await t.app.close();
  });

  const get = (who: Person, url: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth(who) });
  const ticket = async (subject: string, who: 'customerA' | 'customerB' = 'customerA') => (await createTicket(t.deps, t.cast.actors[who], { subject, body: `${subject} body` })).ticket;
  const score = async (id: string, s: number, set: Record<string, unknown> = {}) =>
    ctx.store.db
      .updateTable('tickets')
      .set({ risk_score: s, risk_band: s >= 0.6 ? 'high' : s >= 0.3 ? 'medium' : 'low', risk_reasons: JSON.stringify(REASONS), risk_at: t.deps.clock.now(), risk_model: MODEL_ID, risk_opening: s, ...set })
      .where('id', '=', id)
      .execute();
  const activate = async (version: number, meta: RiskModelMeta) =>
    ctx.store.db.insertInto('risk_models').values({ version, model_id: meta.id, model: '{}', meta: JSON.stringify(meta), activated_at: t.deps.clock.now(), activated_by: t.cast.actors.admin.userId }).execute();

  describe('with no model in force', () => {
    it('the feature is absent: no risk on tickets, an empty queue and a quality answer that says how to activate one', async () => {
      const tk = await ticket('no model yet');
      await score(tk.id, 0.7); // a score left over from a retired model
      const one = await get('agent', `/tickets/${tk.key}`);
      expect(one.statusCode, one.body).toBe(200);
      expect(one.json<{ risk: unknown }>().risk).toBeNull();
      const list = await get('agent', `/tickets?q=${tk.key}`);
      expect(list.json<{ items: Array<{ risk_score: unknown; risk_band: unknown }> }>().items[0]).toMatchObject({ risk_score: null, risk_band: null });
      const queue = await get('lead', '/queues/likely-to-breach');
      expect(queue.statusCode, queue.body).toBe(200);
      expect(queue.json<QueueJson>()).toMatchObject({ model: null, items: [], next_cursor: null, message: expect.stringContaining('escalon risk use MODEL.json') });
      const quality = await get('manager', '/risk/quality');
      expect(quality.statusCode, quality.body).toBe(200);
      expect(quality.json<QualityJson>()).toMatchObject({ model: null, n: 0, auc: null, message: expect.stringContaining('escalon risk use MODEL.json') });
      // Clean up: this ticket stays out of what follows.
      await ctx.store.db.updateTable('tickets').set({ status: 'closed' }).where('id', '=', tk.id).execute();
    });
  });

  describe('with a model in force', () => {
    const keys: Record<string, string> = {};
    beforeAll(async () => {
      await activate(1, META);
      const seed: Array<[name: string, s: number | null, team: string | null]> = [
        ['high', 0.9, 'billing'],
        ['medium', 0.45, 'network'],
        ['low', 0.1, 'billing'],
        ['tie-high', 0.9, 'network'],
        ['unscored', null, 'billing'],
      ];
      for (const [name, s, team] of seed) {
        const tk = await ticket(`risk ${name}`);
        keys[name] = tk.key;
        await ctx.store.db.updateTable('tickets').set({ team }).where('id', '=', tk.id).execute();
        if (s !== null) await score(tk.id, s);
      }
      // Solved: out of the queue however risky.
      const solved = await ticket('risk solved');
      keys.solved = solved.key;
      await score(solved.id, 0.99);
      await ctx.store.db.updateTable('tickets').set({ status: 'solved', solved_at: t.deps.clock.now() }).where('id', '=', solved.id).execute();
    });

    it('staff see the score on a ticket: band, reasons (largest first), when and which model', async () => {
      const res = await get('agent', `/tickets/${keys.high}`);
      expect(res.statusCode, res.body).toBe(200);
      const risk = res.json<{ risk: RiskJson }>().risk;
      expect(risk).toMatchObject({ band: 'high', model: MODEL_ID, at: new Date(t.deps.clock.now()).toISOString(), reasons: REASONS });
      expect(risk.score).toBeCloseTo(0.9, 6);
      const unscored = await get('manager', `/tickets/${keys.unscored}`);
      expect(unscored.json<{ risk: unknown }>().risk).toBeNull();
    });

    it('a customer never sees risk: not on their ticket, not in their list', async () => {
      const res = await get('customerA', `/tickets/${keys.high}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Record<string, unknown>>()).not.toHaveProperty('risk');
      expect(res.body).not.toContain('"risk"');
      const list = await get('customerA', '/tickets?limit=200');
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain('risk_');
      expect(list.json<{ items: unknown[] }>().items.length).toBeGreaterThan(0);
    });

    it('the staff ticket list carries each ticket score and band', async () => {
      const res = await get('agent', '/tickets?q=risk&limit=50');
      const items = res.json<{ items: Array<{ key: string; risk_score: number | null; risk_band: string | null }> }>().items;
      const byKey = new Map(items.map((i) => [i.key, i]));
      expect(byKey.get(keys.medium as string)).toMatchObject({ risk_band: 'medium' });
      expect(byKey.get(keys.medium as string)?.risk_score).toBeCloseTo(0.45, 6);
      expect(byKey.get(keys.unscored as string)).toMatchObject({ risk_score: null, risk_band: null });
    });

    it('the queue: open scored tickets, riskiest first (ties by id), with their top three reasons', async () => {
      const res = await get('agent', '/queues/likely-to-breach');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<QueueJson>();
      expect(body.model).toMatchObject({ id: MODEL_ID, version: 1, target: 'breach' });
      expect(body.message).toBeNull();
      const order = body.items.map((i) => i.key);
      const tie = [keys.high, keys['tie-high']].sort((a, b) => (idOf(body, a) < idOf(body, b) ? -1 : 1));
      expect(order).toEqual([...tie, keys.medium, keys.low]);
      expect(order).not.toContain(keys.solved);
      expect(order).not.toContain(keys.unscored);
      expect(body.items[0]?.risk.reasons).toEqual(REASONS.slice(0, 3));
      expect(body.items.map((i) => i.risk.band)).toEqual(['high', 'high', 'medium', 'low']);
    });

    it('the queue filters by team (one or several, comma-separated) and by band', async () => {
      const billing = (await get('agent', '/queues/likely-to-breach?team=billing')).json<QueueJson>().items.map((i) => i.key);
      expect(billing).toEqual([keys.high, keys.low]);
      const both = (await get('agent', '/queues/likely-to-breach?team=billing,network')).json<QueueJson>().items;
      expect(both).toHaveLength(4);
      const medium = (await get('agent', '/queues/likely-to-breach?band=medium')).json<QueueJson>().items.map((i) => i.risk.band);
      expect(medium).toEqual(['high', 'high', 'medium']);
    });

    it('the queue pages with a cursor, and refuses one it did not hand out', async () => {
      const all = (await get('agent', '/queues/likely-to-breach')).json<QueueJson>().items.map((i) => i.key);
      const first = (await get('agent', '/queues/likely-to-breach?limit=2')).json<QueueJson>();
      expect(first.items.map((i) => i.key)).toEqual(all.slice(0, 2));
      expect(first.next_cursor).not.toBeNull();
      const second = (await get('agent', `/queues/likely-to-breach?limit=2&cursor=${first.next_cursor}`)).json<QueueJson>();
      expect(second.items.map((i) => i.key)).toEqual(all.slice(2, 4));
      expect(second.next_cursor).toBeNull();
      const bad = await get('agent', '/queues/likely-to-breach?cursor=nonsense');
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ error: { code: string } }>().error.code).toBe('INVALID_CURSOR');
    });

    it('customers may not read the queue nor the quality', async () => {
      expect((await get('customerA', '/queues/likely-to-breach')).statusCode).toBe(403);
      expect((await get('customerA', '/risk/quality')).statusCode).toBe(403);
      expect((await get('agent', '/risk/quality')).statusCode).toBe(403);
    });

    it('quality with fewer than 20 measured tickets: the figures are null and the answer says why', async () => {
      const res = await get('lead', '/risk/quality');
      expect(res.statusCode, res.body).toBe(200);
      const q = res.json<QualityJson>();
      // The one solved ticket so far was opened after trainedThrough and scored by the model.
      expect(q).toMatchObject({ model: { id: MODEL_ID }, message: null, n: 1, auc: null, brier: null, reliability: [], retrain: { advised: false } });
      expect(q.reason).toContain('at least 20');
      expect(q.window.opened_after).toBe(META.trainedThrough);
    });

    it('quality on tickets solved since training: AUC, Brier and the reliability table, as computed by hand', async () => {
      // Close the earlier solved ticket out of the measurement (scored by another model).
      await ctx.store.db.updateTable('tickets').set({ risk_model: 'another-model' }).where('key', '=', keys.solved as string).execute();
      // 10 tickets opened at 0.85 (8 breached) and 10 at 0.15 (2 breached), all solved, team "measured".
      for (const [s, breached] of [
        [0.85, 8],
        [0.15, 2],
      ] as const) {
        for (let i = 0; i < 10; i++) {
          const tk = await ticket(`measured ${s} ${i}`, 'customerB');
          // The latest score differs from the opening one: the opening is what is judged.
          await score(tk.id, 0.5, { risk_opening: s, status: 'solved', solved_at: t.deps.clock.now(), team: 'measured' });
          if (i < breached) {
            await ctx.store.db
              .insertInto('events')
              .values({ id: newId(t.deps.clock.now()), ticket_id: tk.id, at: t.deps.clock.now(), recorded_at: t.deps.clock.now(), type: 'sla.breached', actor: 'system', payload: '{"metric":"resolution"}', internal: 1 })
              .execute();
          }
        }
      }
      // Left out: opened before the training data ends, not scored at opening, another model's, still open.
      const old = await ticket('measured old', 'customerB');
      await score(old.id, 0.85, { status: 'solved', solved_at: t.deps.clock.now(), team: 'measured', created_at: Date.parse('2026-02-20T00:00:00Z') });
      const noOpening = await ticket('measured no opening', 'customerB');
      await score(noOpening.id, 0.85, { risk_opening: null, status: 'solved', solved_at: t.deps.clock.now(), team: 'measured' });
      const other = await ticket('measured other model', 'customerB');
      await score(other.id, 0.85, { risk_model: 'another-model', status: 'solved', solved_at: t.deps.clock.now(), team: 'measured' });
      const open = await ticket('measured open', 'customerB');
      await score(open.id, 0.85, { team: 'measured' });

      const res = await get('manager', '/risk/quality?team=measured');
      expect(res.statusCode, res.body).toBe(200);
      const q = res.json<QualityJson>();
      expect(q).toMatchObject({ n: 20, positives: 10, reason: null, message: null });
      // Pairs: 8×8 wins, 8×2 + 2×8 ties (half each), 2×2 losses → (64 + 16) / 100.
      expect(q.auc).toBeCloseTo(0.8, 6);
      // 8·0.15² + 2·0.85² + 2·0.85² + 8·0.15² = 3.25, over 20.
      expect(q.brier).toBeCloseTo(0.1625, 5);
      expect(q.reliability).toHaveLength(10);
      const filled = q.reliability.filter((b) => b.n > 0);
      expect(filled).toHaveLength(2);
      expect(filled[0]).toMatchObject({ from: 0.1, n: 10, observed: 0.2 });
      expect(filled[0]?.predicted).toBeCloseTo(0.15, 5);
      expect(filled[1]).toMatchObject({ from: 0.8, n: 10, observed: 0.8 });
      expect(filled[1]?.predicted).toBeCloseTo(0.85, 5);
      expect(q.calibration_error).toBeCloseTo(0.05, 5);
      expect(q.retrain).toEqual({ advised: false, why: [] });

      // All teams: the same 20 (no other solved ticket qualifies).
      expect((await get('admin', '/risk/quality')).json<QualityJson>()).toMatchObject({ n: 20, positives: 10 });
    });

    it('quality advises retraining when the AUC is low or calibration drifts; one outcome only leaves the AUC null', async () => {
      // Score every measured ticket 0.85 at opening: no discrimination (AUC 0.5), 35 points off.
      await ctx.store.db.updateTable('tickets').set({ risk_opening: 0.85 }).where('team', '=', 'measured').where('subject', 'like', 'measured 0.%').execute();
      const q = (await get('manager', '/risk/quality?team=measured')).json<QualityJson>();
      expect(q.auc).toBeCloseTo(0.5, 6);
      expect(q.calibration_error).toBeCloseTo(0.35, 5);
      expect(q.retrain.advised).toBe(true);
      expect(q.retrain.why.join(' ')).toMatch(/AUC on new tickets is 0\.50, under 0\.70/);
      expect(q.retrain.why.join(' ')).toMatch(/fell from 0\.84/);
      expect(q.retrain.why.join(' ')).toMatch(/35 percentage points/);

      // A model of another target: escalation. None of the measured tickets was escalated.
      await activate(2, { ...META, target: 'escalation' });
      const esc = (await get('manager', '/risk/quality?team=measured')).json<QualityJson>();
      expect(esc).toMatchObject({ n: 20, positives: 0, auc: null });
      expect(esc.reason).toContain('AUC needs both');
      expect(esc.brier).toBeCloseTo(0.85 * 0.85, 5);
    });
  });
});

function idOf(body: QueueJson, key: string | undefined): string {
  const item = body.items.find((i) => i.key === key) as unknown as { id: string } | undefined;
  return item?.id ?? '';
}
