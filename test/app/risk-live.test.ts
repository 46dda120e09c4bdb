/**
 * Risk prediction live (issue 14), on both stores, with test doubles of the risk module (a
 * model whose risk follows priority, a fold that counts steps): every change folds the memo
 * (model or not) and, with a model in force, scores the ticket in the change's transaction; a
 * crossing of the reference policy's likely-to-breach threshold (switched on here) escalates
 * with the score and reasons in the why; the periodic rescoring writes no event without a band
 * crossing; the model setting (API, `escalon risk use`) with its versions and --none.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { fireDueTimers } from '../../src/app/fire-timers.ts';
import { LiveEngine } from '../../src/app/live-engine.ts';
import { PolicyRegistry } from '../../src/app/policy-registry.ts';
import { RiskRegistry } from '../../src/app/risk-registry.ts';
import { rescoreOpenTickets } from '../../src/app/risk-rescore.ts';
import { setRiskDepsForTests } from '../../src/app/risk-wiring.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { riskUse } from '../../src/cli/risk-use.ts';
import { RiskRescoreLoop } from '../../src/scheduler/risk-rescore-loop.ts';
import { customerProfile } from '../../src/store/risk-repo.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';
import { countingFold, doubleDeps, loadDouble, modelFile } from '../helpers/risk-doubles.ts';

const POLICY_ON = REFERENCE_POLICY.replace('  - id: likely-to-breach\n    enabled: false\n', '  - id: likely-to-breach\n');
const dir = mkdtempSync(join(tmpdir(), 'escalon-risk-live-'));

setRiskDepsForTests(doubleDeps());
afterAll(() => {
  setRiskDepsForTests(undefined);
  rmSync(dir, { recursive: true, force: true });
});

interface Ev {
  type: string;
  actor: string;
  payload: Record<string, unknown>;
}

describeStores('risk prediction live', (ctx) => {
  let t: TestApp;
  const db = () => t.deps.store.db;
  const row = (key: string) => db().selectFrom('tickets').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
  const events = async (key: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/events`, headers: t.auth('admin') })).json<{ items: Ev[] }>().items;
  const create = async (subject = 'Slow exports') => {
    t.deps.clock.advance(60_000);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth('customerA'), payload: { subject, body: 'The export takes an hour.' } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ key: string }>().key;
  };
  const patch = async (key: string, payload: Record<string, unknown>) => {
    t.deps.clock.advance(60_000);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${key}`, headers: t.auth('lead'), payload });
    expect(res.statusCode, res.body).toBe(200);
  };
  const putModel = (file: unknown, who: 'admin' | 'manager' = 'admin') => t.app.inject({ method: 'PUT', url: '/api/v1/risk/model', headers: t.auth(who), payload: file as object });

  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(Date.parse('2026-12-01T15:00:00Z'));
    await applyPolicy(t.deps, t.cast.actors.admin, POLICY_ON, 'yaml');
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('with no model: the memo is folded on every change, no score, no risk event', async () => {
    const key = await create();
    await patch(key, { priority: 'high' });
    const r = await row(key);
    expect(JSON.parse(r.risk_memo ?? 'null')).toMatchObject({ lines: 2 });
    expect(r.risk_score).toBeNull();
    expect((await events(key)).some((e) => e.type === 'risk.changed')).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/risk/model', headers: t.auth('manager') })).json()).toEqual({ in_force: null, problem: null, history: [] });
  });

  it('setting a model: admins only; a bad file is refused with a clear 422, nothing set', async () => {
    expect((await putModel(modelFile('m1'), 'manager')).statusCode).toBe(403);
    const bad = await putModel({ weights: [1, 2] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ error: { code: 'RISK_MODEL_INVALID', message: 'not a risk model this server can use: not a risk model file: expected { "double": true, "id": ... }; nothing was set' } });
    const ok = await putModel(modelFile('m1'));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ in_force: { version: 1, model: { id: 'double-1'.replace('double-1', 'm1'), target: 'breach', validation: { auc: 0.8 } }, activated_by: t.cast.actors.admin.email }, problem: null });
  });

  it('a ticket is scored on each change; its first score is its opening; a crossing past 0.7 escalates with the score and reasons in the why', async () => {
    const key = await create('Checkout down');
    let r = await row(key);
    // normal priority: the double says 0.2 (low); the first score emits risk.changed from none.
    expect(r).toMatchObject({ risk_score: 0.2, risk_band: 'low', risk_model: 'm1', risk_opening: 0.2 });
    expect(JSON.parse(r.risk_reasons ?? '[]')[0]).toEqual({ feature: 'priority normal', effect: 0.1 });
    expect(r.level).toBe('L1');
    await patch(key, { priority: 'urgent' });
    r = await row(key);
    expect(r).toMatchObject({ risk_score: 0.8, risk_band: 'high', risk_opening: 0.2, level: 'L2' });
    const evs = await events(key);
    const changed = evs.filter((e) => e.type === 'risk.changed');
    expect(changed.map((e) => [e.payload.from, e.payload.to])).toEqual([[null, 'low'], ['low', 'high']]);
    const esc = evs.find((e) => e.type === 'ticket.escalated');
    expect(esc?.actor).toBe('rule:likely-to-breach');
    expect(esc?.payload).toMatchObject({
      reason: 'sla_risk',
      explanation: {
        rule: 'likely-to-breach',
        trigger: 'risk.changed',
        conditions: [{ field: 'risk.score', op: 'gte', expected: 0.7, actual: 0.8, matched: true }],
        risk: { score: 0.8, band: 'high', model: 'm1', reasons: [{ feature: 'priority urgent', effect: 0.7 }, { feature: '2 updates', effect: 0.01 }] },
      },
    });
    const note = evs.find((e) => e.type === 'comment.added' && e.actor === 'rule:likely-to-breach');
    expect(note).toBeDefined();
  });

  it('rescoring without a band change writes no events (10 passes), only the columns', async () => {
    const key = await create('Invoices');
    // Tickets opened before the model was set get their first score (a crossing from none) here.
    const first = await rescoreOpenTickets({ store: t.deps.store, clock: t.deps.clock, live: t.deps.live });
    expect(first.crossings).toBe(1);
    const before = (await events(key)).length;
    const version = (await row(key)).version;
    for (let i = 0; i < 10; i++) {
      t.deps.clock.advance(15 * 60_000);
      const pass = await rescoreOpenTickets({ store: t.deps.store, clock: t.deps.clock, live: t.deps.live });
      expect(pass.crossings).toBe(0);
      expect(pass.tickets).toBeGreaterThan(0);
    }
    expect((await events(key)).length).toBe(before);
    const r = await row(key);
    expect(r.version).toBe(version);
    expect(Number(r.risk_at)).toBe(t.deps.clock.now());
    expect(r.risk_score).toBe(0.2);
  });

  it('another node picks up a new version at its next change, and the scheduler rescored open tickets at once', async () => {
    const other = new RiskRegistry(countingFold, loadDouble);
    expect((await other.refresh(db()))?.meta.id).toBe('m1');
    const key = await create('Reports');
    const loop = new RiskRescoreLoop({ store: t.deps.store, clock: t.deps.clock, live: t.deps.live }, { intervalMs: 15 * 60_000 });
    await loop.tick();
    expect(await loop.tick()).toBeNull(); // nothing new, interval not over
    // m2 rates normal tickets medium: a crossing for every open normal ticket.
    expect((await putModel(modelFile('m2', { low: 0.05, normal: 0.4, high: 0.5, urgent: 0.8 }))).statusCode).toBe(200);
    expect((await other.refresh(db()))?.meta.id).toBe('m2');
    const pass = await loop.tick();
    expect(pass).toMatchObject({ version: 2 });
    expect(pass?.crossings).toBeGreaterThan(0);
    const r = await row(key);
    expect(r).toMatchObject({ risk_model: 'm2', risk_band: 'medium', risk_opening: 0.4 });
    expect((await events(key)).filter((e) => e.type === 'risk.changed').at(-1)?.payload).toMatchObject({ from: 'low', to: 'medium', model: 'm2' });
  });

  it('a timer firing (time moved) folds the memo and rescored the ticket at the due moment', async () => {
    const key = await create('Timer');
    const before = await row(key);
    const steps = Number(JSON.parse(before.risk_memo ?? '{}').steps);
    const due = await db().selectFrom('timers').select(['due_at']).where('ticket_id', '=', before.id).orderBy('due_at').executeTakeFirstOrThrow();
    t.deps.clock.set(Number(due.due_at) + 1000);
    const fired = await fireDueTimers({ store: t.deps.store, clock: t.deps.clock, live: t.deps.live, owner: 'risk-test' });
    expect(fired.fired).toBeGreaterThan(0);
    const after = await row(key);
    expect(Number(JSON.parse(after.risk_memo ?? '{}').steps)).toBeGreaterThan(steps);
    expect(Number(after.risk_at)).toBe(Number(due.due_at));
  });

  it('the requester profile is one query over their other tickets', async () => {
    const r = await row(await create('Another one'));
    const p = await customerProfile(db(), r.requester_id, r.id, t.deps.clock.now());
    expect(p.openTickets).toBeGreaterThanOrEqual(4);
    expect(p.tickets90d).toBeGreaterThanOrEqual(p.openTickets);
    expect(p.escalations90d).toBeGreaterThanOrEqual(1);
    // The timers fired above breached first responses of earlier tickets (sla.breached events).
    const breached = await db().selectFrom('events').innerJoin('tickets', 'tickets.id', 'events.ticket_id').select('tickets.id').distinct().where('events.type', '=', 'sla.breached').where('tickets.requester_id', '=', r.requester_id).execute();
    expect(p.breaches90d).toBe(breached.length);
    expect(p.breaches90d).toBeGreaterThan(0);
    // Later than everything: nothing was created in the 90 days before.
    expect(await customerProfile(db(), r.requester_id, r.id, t.deps.clock.now() + 200 * 24 * 3600 * 1000)).toMatchObject({ tickets90d: 0, breaches90d: 0, escalations90d: 0, openTickets: p.openTickets });
  });

  it('escalon risk use FILE / --none: versions, scores cleared, nothing scored after', async () => {
    const file = join(dir, `m3-${ctx.store.dialect}.json`);
    writeFileSync(file, JSON.stringify(modelFile('m3')));
    const live = new LiveEngine(new PolicyRegistry(), t.deps.clock);
    const deps = { store: t.deps.store, clock: t.deps.clock, attachmentLimit: 1024 };
    expect(await riskUse(deps, live.risk, file, {})).toMatch(/^risk model m3 in force \(setting version 3\): breach, trained .* validation AUC 0\.800/);
    await expect(riskUse(deps, live.risk, join(dir, 'missing.json'), {})).rejects.toThrow(/cannot read .*missing\.json/);
    await expect(riskUse(deps, live.risk, undefined, {})).rejects.toThrow('give the model file');
    await expect(riskUse(deps, null, file, {})).rejects.toThrow('this server is built without risk prediction');
    expect(await riskUse(deps, live.risk, undefined, { none: true })).toBe('risk prediction off (setting version 4): no model in force, scores cleared');
    const view = (await t.app.inject({ method: 'GET', url: '/api/v1/risk/model', headers: t.auth('admin') })).json<{ in_force: unknown; history: Array<{ version: number; model: { id: string } | null }> }>();
    expect(view.in_force).toBeNull();
    expect(view.history.map((h) => [h.version, h.model?.id ?? null])).toEqual([[4, null], [3, 'm3'], [2, 'm2'], [1, 'm1']]);
    const scored = await db().selectFrom('tickets').select('id').where('risk_score', 'is not', null).execute();
    expect(scored).toEqual([]);
    const key = await create('After the switch-off');
    await patch(key, { priority: 'urgent' });
    const r = await row(key);
    expect(r.risk_score).toBeNull();
    expect(JSON.parse(r.risk_memo ?? 'null')).toMatchObject({ lines: 2 });
    expect((await events(key)).some((e) => e.type === 'risk.changed')).toBe(false);
    expect((await rescoreOpenTickets({ store: t.deps.store, clock: t.deps.clock, live: t.deps.live })).tickets).toBe(0);
  });

  it('DELETE /api/v1/risk/model is for admins', async () => {
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/risk/model', headers: t.auth('manager') })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/risk/model', headers: t.auth('agent') })).statusCode).toBe(403);
    const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/risk/model', headers: t.auth('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ in_force: null });
    expect(res.json<{ history: unknown[] }>().history[0]).toMatchObject({ version: 5, model: null });
  });
});
