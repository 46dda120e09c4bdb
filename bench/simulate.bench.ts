/**
 * Simulation throughput: the real ServiceNow log (14,538 incidents), imported into the
 * workload format, replayed through the engine with the reference policy in virtual time.
 * Baseline in the same run: only parsing the workload lines and serialising as many output
 * lines — the floor any replay pays.
 *
 *   npx tsx bench/simulate.bench.ts [path/to/servicenow-incidents-train.csv.gz]
 */
import { readFileSync } from 'node:fs';
import { Engine } from '../src/domain/engine/engine.ts';
import type { EngineEvent } from '../src/domain/engine/types.ts';
import { parsePolicy } from '../src/domain/policy/parse.ts';
import { Simulation, toOutputLine } from '../src/domain/simulation.ts';
import { parseWorkloadLine, type WorkloadLine } from '../src/domain/workload.ts';
import { readServiceNowLog } from '../src/import/servicenow.ts';

const file = process.argv[2] ?? new URL('../examples/data/servicenow-incidents-train.csv.gz', import.meta.url).pathname;
const policyText = readFileSync(new URL('../examples/escalon.policy.yaml', import.meta.url), 'utf8');
const parsed = parsePolicy(policyText);
if (!parsed.ok) throw new Error('reference policy refused');

const conversion = await readServiceNowLog(file);
const texts = conversion.lines.map((l) => JSON.stringify(l));
console.log(`workload: ${texts.length} lines from ${file}`);

function parseAll(): WorkloadLine[] {
  return texts.map((t, i) => {
    const p = parseWorkloadLine(t, i + 1);
    if (!p.ok) throw new Error(`line ${i + 1}: ${p.message}`);
    return p.value;
  });
}

function runOnce(lines: WorkloadLine[], serialise: boolean): { ms: number; events: number } {
  let events = 0;
  let bytes = 0;
  const sink = (e: EngineEvent) => {
    events++;
    if (serialise) bytes += JSON.stringify(toOutputLine(e)).length;
  };
  const start = performance.now();
  const sim = new Simulation(new Engine({ policy: parsed.ok ? parsed.policy : (undefined as never) }), sink);
  for (const line of lines) sim.input(line);
  sim.finish(sim.lastInputAt + 30 * 24 * 3600 * 1000);
  const ms = performance.now() - start;
  if (bytes < 0) console.log(bytes);
  return { ms, events };
}

const t0 = performance.now();
const lines = parseAll();
const parseMs = performance.now() - t0;

// Warm up, then best of 5.
runOnce(lines, false);
const engineRuns = Array.from({ length: 5 }, () => runOnce(lines, false));
const fullRuns = Array.from({ length: 3 }, () => runOnce(lines, true));
const best = (runs: Array<{ ms: number }>) => Math.min(...runs.map((r) => r.ms));
const events = engineRuns[0]?.events ?? 0;

// Baseline: parse every input line and serialise as many output lines as the engine produced.
const sample = JSON.stringify({ at: '2016-03-01T10:00:00.000Z', ticket: 'INC0000045', type: 'sla.warning', metric: 'resolution', threshold: '75%', policy: 'standard', policy_version: 1, target_ms: 28800000 });
const b0 = performance.now();
let n = 0;
for (const t of texts) n += (JSON.parse(t) as object) ? 1 : 0;
for (let i = 0; i < events; i++) n += JSON.stringify(JSON.parse(sample)).length > 0 ? 1 : 0;
const baselineMs = performance.now() - b0;

const engineMs = best(engineRuns);
const fullMs = best(fullRuns);
const rows: Array<[string, string]> = [
  ['input lines', String(lines.length)],
  ['output events', String(events)],
  ['parse + validate workload (ms)', parseMs.toFixed(0)],
  ['engine only (ms, best of 5)', engineMs.toFixed(0)],
  ['engine input events/s', Math.round(lines.length / (engineMs / 1000)).toLocaleString('en')],
  ['engine output events/s', Math.round(events / (engineMs / 1000)).toLocaleString('en')],
  ['engine + output JSON (ms, best of 3)', fullMs.toFixed(0)],
  ['baseline: JSON parse in + stringify out (ms)', baselineMs.toFixed(0)],
  ['engine+JSON vs baseline', `${(fullMs / baselineMs).toFixed(1)}×`],
];
for (const [k, v] of rows) console.log(`${k.padEnd(46)} ${v}`);
if (n < 0) console.log(n);
