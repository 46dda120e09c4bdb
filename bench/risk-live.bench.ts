/**
 * What live risk scoring adds to a ticket change (issue 14): the same changes (priority flips,
 * tag edits) on a SQLite store with 2,000 tickets of one requester, once with no risk module,
 * once with a model in force — memo folded, the requester's profile read (one query), the
 * score applied through the engine and the columns written. Tickets are spread over REQUESTERS
 * requesters (default 200; 1 is the worst case of the profile query). Without MODEL the model is
 * a test double (a lookup), so the figure is the live path's own cost; with MODEL (a file from
 * `escalon risk train`) it is the real memo fold and model, reasons included.
 *
 *   npx tsx bench/risk-live.bench.ts [CHANGES] [REQUESTERS] [MODEL.json]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyPolicy } from '../src/app/apply-policy.ts';
import { createTicket } from '../src/app/create-ticket.ts';
import { LiveEngine } from '../src/app/live-engine.ts';
import { PolicyRegistry } from '../src/app/policy-registry.ts';
import { setRiskModel } from '../src/app/risk-model.ts';
import { RiskRegistry } from '../src/app/risk-registry.ts';
import { foldRiskMemo } from '../src/domain/risk/memo.ts';
import { loadRiskModel } from '../src/domain/risk/model.ts';
import { REFERENCE_POLICY } from '../src/app/seed-demo.ts';
import { updateTicket } from '../src/app/update-ticket.ts';
import { ManualClock } from '../src/domain/clock.ts';
import { openStore } from '../src/store/connect.ts';
import { customerProfile, loadEngineRow, riskColumnValues } from '../src/store/risk-repo.ts';
import { EMPTY_PROFILE } from '../src/domain/risk/api.ts';
import { scoredInput } from '../src/domain/risk/live-deps.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { makeCast } from '../test/helpers/fixtures.ts';
import { countingFold, loadDouble, modelFile } from '../test/helpers/risk-doubles.ts';

const CHANGES = Number(process.argv[2] ?? 2000);
/** Requesters the tickets are spread over (1: the worst case, one requester with every ticket). */
const REQUESTERS = Number(process.argv[3] ?? 200);
const TICKETS = 2000;
/** A real model file (escalon risk train): the real fold and loader instead of the doubles. */
const MODEL = process.argv[4];
const realFile: unknown = MODEL ? JSON.parse(readFileSync(MODEL, 'utf8')) : undefined;

async function run(withRisk: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'escalon-bench-risk-'));
  const store = openStore(`sqlite:${join(dir, 'db.sqlite')}`);
  try {
    await migrateToLatest(store);
    const clock = new ManualClock(Date.parse('2026-12-01T15:00:00Z'));
    const risk = withRisk ? (MODEL ? new RiskRegistry(foldRiskMemo, loadRiskModel) : new RiskRegistry(countingFold, loadDouble)) : null;
    const live = new LiveEngine(new PolicyRegistry(), clock, undefined, risk);
    const deps = { store, clock, attachmentLimit: 1024, engine: live, live };
    const cast = await makeCast(deps);
    await applyPolicy(deps, cast.actors.admin, REFERENCE_POLICY.replace('    enabled: false\n', ''), 'yaml');
    if (risk) await setRiskModel({ ...deps, risk }, cast.actors.admin, MODEL ? realFile : modelFile('bench'));
    const keys: string[] = [];
    for (let i = 0; i < TICKETS; i++) {
      clock.advance(1000);
      const requester = { email: `bench-${i % REQUESTERS}@acme.example`, name: `Customer ${i % REQUESTERS}` };
      const { ticket } = await createTicket(deps, cast.actors.lead, { subject: `Bench ${i}`, body: 'It is slow.', requester, organizationId: cast.orgA });
      keys.push(ticket.key);
    }
    const priorities = ['low', 'normal'] as const;
    // Warm-up, then timed.
    for (let i = 0; i < 200; i++) await updateTicket(deps, cast.actors.lead, keys[i % keys.length] as string, { tags: [`w${i}`] });
    const t0 = performance.now();
    for (let i = 0; i < CHANGES; i++) {
      clock.advance(1000);
      const key = keys[(i * 7) % keys.length] as string;
      await updateTicket(deps, cast.actors.lead, key, i % 2 === 0 ? { priority: priorities[(i >> 1) % 2] } : { tags: [`t${i}`] });
    }
    const perChange = (performance.now() - t0) / CHANGES;
    if (risk) {
      const t = await store.db.selectFrom('tickets').select(['id', 'requester_id']).limit(1).executeTakeFirstOrThrow();
      const p0 = performance.now();
      for (let i = 0; i < 1000; i++) await customerProfile(store.db, t.requester_id, t.id, clock.now());
      const p1 = performance.now();
      for (let i = 0; i < 1000; i++) await risk.refresh(store.db);
      const p2 = performance.now();
      // The in-memory part: fold, score (the double), apply through the engine, the columns' JSON.
      const row = await loadEngineRow(store.db, t.id);
      const engine = (await live.registry.refresh(store.db))?.engine;
      const model = await risk.refresh(store.db);
      const p3 = performance.now();
      for (let i = 0; i < 1000 && row.state && engine && model; i++) {
        const memo = (MODEL ? foldRiskMemo : countingFold)(row.memo, { at: clock.now(), input: null, events: [] });
        const input = scoredInput(model.model, row.state, memo, EMPTY_PROFILE, clock.now() + i);
        const r = engine.apply(row.state, input, clock.now() + i);
        if (r.ok) JSON.stringify(riskColumnValues({ memo, score: { ...input, at: clock.now(), opening: false } }));
      }
      const p4 = performance.now();
      parts.push([(p1 - p0) / 1000, (p2 - p1) / 1000, (p4 - p3) / 1000]);
    }
    return perChange;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const parts: Array<[number, number, number]> = [];
const rounds: Array<[number, number]> = [];
for (let r = 0; r < 5; r++) rounds.push([await run(false), await run(true)]);
const best = (i: 0 | 1) => Math.min(...rounds.map((x) => x[i]));
process.stdout.write(`per change, best of 5 (${CHANGES} changes, ${TICKETS} tickets of ${REQUESTERS} requester(s), SQLite):\n`);
process.stdout.write(`  no risk module: ${best(0).toFixed(3)} ms\n  with a model:   ${best(1).toFixed(3)} ms\n  added:          ${(best(1) - best(0)).toFixed(3)} ms\n`);
process.stdout.write(`  of which the profile query ${Math.min(...parts.map((p) => p[0])).toFixed(3)} ms, the model version check ${Math.min(...parts.map((p) => p[1])).toFixed(3)} ms, fold + score + engine + JSON ${Math.min(...parts.map((p) => p[2])).toFixed(3)} ms (${MODEL ? `the model ${MODEL}` : 'the double model'})\n`);
