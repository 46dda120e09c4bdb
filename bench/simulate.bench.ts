/**
 * Simulation throughput: the real ServiceNow log (14,538 incidents), imported into the
 * workload format, replayed through the engine with the reference policy in virtual time.
 *
 * Two figures, the same number of rounds each:
 * - the command as a user runs it: `node bin/escalon.js simulate --policy … --workload W.jsonl
 *   --out OUT.jsonl` in a fresh process per round, wall clock from spawn to exit (start-up,
 *   reading, checking every line, the engine, writing the output), with its CPU time and peak
 *   RSS (from /usr/bin/time when there is one); with `--base DIR`, the same command of another
 *   checkout (e.g. an unchanged one) interleaved round by round, and its output compared byte
 *   for byte;
 * - the engine alone, in this process, on lines parsed beforehand (no reading or writing).
 * Baseline in the same run: only parsing the workload lines and serialising as many output
 * lines — the floor any replay pays.
 *
 *   npx tsx bench/simulate.bench.ts [--rounds N] [--base DIR] [path/to/servicenow-incidents-train.csv.gz]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/domain/engine/engine.ts';
import type { EngineEvent } from '../src/domain/engine/types.ts';
import { parsePolicy } from '../src/domain/policy/parse.ts';
import { Simulation, toOutputLine } from '../src/domain/simulation.ts';
import { parseWorkloadLine, type WorkloadLine } from '../src/domain/workload.ts';
import { readServiceNowLog } from '../src/import/servicenow.ts';

const args = process.argv.slice(2);
let rounds = 5;
let base: string | null = null;
let file = fileURLToPath(new URL('../examples/data/servicenow-incidents-train.csv.gz', import.meta.url));
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i] === '--base') base = resolve(args[++i] as string);
  else file = args[i] as string;
}
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const POLICY = join(ROOT, 'policies', 'reference.policy.yaml');
const policyText = readFileSync(POLICY, 'utf8');
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

// The command, in fresh processes: this checkout (and --base), interleaved.
const work = mkdtempSync(join(tmpdir(), 'escalon-simulate-bench-'));
const workload = join(work, 'workload.jsonl');
writeFileSync(workload, texts.join('\n') + '\n');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
interface CommandRun {
  ms: number;
  cpuS: number;
  rssMiB: number;
}
function command(dir: string, out: string): CommandRun {
  const argv = [process.execPath, join(dir, 'bin', 'escalon.js'), 'simulate', '--policy', POLICY, '--workload', workload, '--out', out, '--no-progress'];
  const t = performance.now();
  const r = TIME ? spawnSync(TIME, ['-f', 'TIME %U %S %M', ...argv], { encoding: 'utf8' }) : spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${dir}: simulate failed: ${r.stderr}`);
  const m = /TIME (\S+) (\S+) (\d+)/.exec(r.stderr);
  return { ms, cpuS: m ? Number(m[1]) + Number(m[2]) : NaN, rssMiB: m ? Number(m[3]) / 1024 : NaN };
}
const sides = [ROOT, ...(base ? [base] : [])];
const outs = sides.map((_, i) => join(work, `out-${i}.jsonl`));
sides.forEach((d, i) => command(d, outs[i] as string)); // builds what is stale, warms the disk cache
const load0 = loadavg();
const commandRuns = sides.map(() => [] as CommandRun[]);
for (let r = 0; r < rounds; r++) sides.forEach((d, i) => commandRuns[i]?.push(command(d, outs[i] as string)));
const outputLines = readFileSync(outs[0] as string, 'utf8').split('\n').length - 1;
const identical = base ? readFileSync(outs[0] as string).equals(readFileSync(outs[1] as string)) : null;

// The engine alone: warm up, then the same number of rounds.
runOnce(lines, false);
const engineRuns = Array.from({ length: rounds }, () => runOnce(lines, false));
const fullRuns = Array.from({ length: rounds }, () => runOnce(lines, true));
const load1 = loadavg();
const best = (runs: Array<{ ms: number }>) => Math.min(...runs.map((r) => r.ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
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
  ['load average before / after', `${load0.map((x) => x.toFixed(2)).join(' ')} / ${load1.map((x) => x.toFixed(2)).join(' ')}`],
  ['rounds (each figure)', String(rounds)],
  ['input lines', String(lines.length)],
  ['output events', String(events)],
  ['output lines of the command', String(outputLines)],
];
sides.forEach((d, i) => {
  const runs = commandRuns[i] ?? [];
  const ms = median(runs.map((r) => r.ms));
  const label = i === 0 ? 'command' : `command of ${d}`;
  rows.push([`${label}: wall ms, median (min–max)`, `${ms.toFixed(0)} (${best(runs).toFixed(0)}–${Math.max(...runs.map((r) => r.ms)).toFixed(0)})`]);
  rows.push([`${label}: output events/s (median wall)`, Math.round(outputLines / (ms / 1000)).toLocaleString('en')]);
  rows.push([`${label}: CPU s (user+sys), median`, median(runs.map((r) => r.cpuS)).toFixed(2)]);
  rows.push([`${label}: peak RSS MiB, median`, median(runs.map((r) => r.rssMiB)).toFixed(0)]);
});
if (identical !== null) rows.push(['outputs byte-identical', String(identical)]);
rows.push(
  ['parse + validate workload (ms)', parseMs.toFixed(0)],
  [`engine only (ms, best of ${rounds})`, engineMs.toFixed(0)],
  [`engine only (ms, median of ${rounds})`, median(engineRuns.map((r) => r.ms)).toFixed(0)],
  ['engine input events/s', Math.round(lines.length / (engineMs / 1000)).toLocaleString('en')],
  ['engine output events/s', Math.round(events / (engineMs / 1000)).toLocaleString('en')],
  [`engine + output JSON (ms, best of ${rounds})`, fullMs.toFixed(0)],
  ['baseline: JSON parse in + stringify out (ms)', baselineMs.toFixed(0)],
  ['engine+JSON vs baseline', `${(fullMs / baselineMs).toFixed(1)}×`],
);
for (const [k, v] of rows) console.log(`${k.padEnd(46)} ${v}`);
if (n < 0) console.log(n);
rmSync(work, { recursive: true, force: true });
