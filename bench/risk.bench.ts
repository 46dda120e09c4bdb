/**
 * The escalation-risk model on the real ServiceNow log (issue 14): the importer's output of
 * examples/data/servicenow-incidents-train.csv.gz, split by opening time (train on the first
 * 70 %, evaluate on the last 30 %, as `escalon risk train --train-share 0.7` then
 * `escalon risk evaluate`). Reports training time and tickets/s, model size, scoring speed
 * (lines/s with reasons, and µs for one ticket change scored with its reasons), and ROC-AUC
 * at opening and after 2, 4 and 8 lines beside the published anchors.
 *
 *   npx tsx bench/risk.bench.ts [path/to/servicenow-incidents-train.csv.gz] [seed]
 */
import { readFileSync } from 'node:fs';
import { parsePolicy } from '../src/domain/policy/parse.ts';
import type { RiskSubject } from '../src/domain/risk/api.ts';
import { loadRiskModel } from '../src/domain/risk/model.ts';
import { parseWorkloadLine, type WorkloadLine } from '../src/domain/workload.ts';
import { readServiceNowLog } from '../src/import/servicenow.ts';
import { evaluateRiskModel } from '../src/risk/evaluate.ts';
import { replay } from '../src/risk/replay.ts';
import { openings, trainRiskModel } from '../src/risk/train.ts';

const file = process.argv[2] ?? new URL('../examples/data/servicenow-incidents-train.csv.gz', import.meta.url).pathname;
const seed = Number(process.argv[3] ?? 42);
const parsed = parsePolicy(readFileSync(new URL('../policies/reference.policy.yaml', import.meta.url), 'utf8'));
if (!parsed.ok) throw new Error('reference policy refused');
const policy = parsed.policy;

const conversion = await readServiceNowLog(file);
const lines: WorkloadLine[] = conversion.lines.map((l, i) => {
  const p = parseWorkloadLine(JSON.stringify(l), i + 1);
  if (!p.ok) throw new Error(`line ${i + 1}: ${p.message}`);
  return p.value;
});
const bad = new Map(Object.entries(conversion.madeSla as Record<string, boolean>).map(([k, v]) => [k, !v]));
const opened = [...openings(lines).values()].sort((a, b) => a - b);
const cut = opened[Math.floor(opened.length * 0.7)] as number;
console.log(`workload: ${lines.length} lines, ${opened.length} tickets; cut at ${new Date(cut).toISOString()}`);

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const trained = trainRiskModel({ lines, bad, policy, target: 'breach', seed, cut, trainedAt: new Date(0) });
const trainMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(
  `training: ${trained.trainTickets} tickets in ${(trainMs / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU ` +
    `(${Math.round(trained.trainTickets / (trainMs / 1000))} tickets/s); ${trained.rows} forest rows`,
);
console.log(`validation (latest 20 % of training tickets): AUC ${trained.validation.auc.toFixed(3)} all lines, ${trained.validation.aucAtOpening?.toFixed(3)} at opening`);
console.log(`model size: ${(trained.json.length / 1024).toFixed(0)} KiB`);
const model = loadRiskModel(JSON.parse(trained.json));

// Scoring speed: every line of the evaluation tickets, with reasons; then one subject many times.
let scored = 0;
let scoreMs = 0;
let sample: RiskSubject | null = null;
const evalRefs = new Set([...openings(lines).entries()].filter(([, at]) => at >= cut).map(([r]) => r));
replay(lines, {
  policy,
  onLine: ({ line, subject }) => {
    if (!evalRefs.has(line.ref)) return;
    const s = performance.now();
    model.score(subject);
    scoreMs += performance.now() - s;
    scored++;
    if (scored === 1000) sample = { ...subject, state: structuredClone(subject.state) };
  },
});
console.log(`scoring with reasons: ${scored} lines in ${(scoreMs / 1000).toFixed(2)} s → ${Math.round(scored / (scoreMs / 1000))} lines/s`);
if (sample) {
  const n = 2000;
  const s = performance.now();
  for (let i = 0; i < n; i++) model.score(sample);
  const us = ((performance.now() - s) / n) * 1000;
  const s2 = performance.now();
  for (let i = 0; i < n; i++) model.risk(sample);
  const us2 = ((performance.now() - s2) / n) * 1000;
  console.log(`one ticket change: ${us.toFixed(0)} µs with reasons, ${us2.toFixed(0)} µs risk only`);
}

const ev = evaluateRiskModel(model, lines, bad, policy);
const anchors: Record<number, string> = { 1: '≈0.75 published; naive Bayes 0.78', 2: '', 4: '≈0.89 after several updates', 8: '' };
console.log(`\nevaluation: ${ev.tickets} tickets opened after ${ev.trainedThrough}`);
console.log('| after lines | tickets | bad | ROC-AUC | PR-AUC | recall@10/20/30 % | Brier | anchor |');
console.log('|---|---:|---:|---:|---:|---|---:|---|');
for (const c of ev.checkpoints) {
  const r = ['10%', '20%', '30%'].map((k) => (c.recall[k] === null || c.recall[k] === undefined ? '—' : `${Math.round((c.recall[k] as number) * 100)}`)).join(' / ');
  console.log(`| ${c.lines} | ${c.tickets} | ${c.positives} | ${c.rocAuc?.toFixed(3)} | ${c.prAuc?.toFixed(3)} | ${r} | ${c.brier?.toFixed(3)} | ${anchors[c.lines] ?? ''} |`);
}
console.log(`Brier over all ${ev.lines} scored lines: ${ev.brier?.toFixed(3)}`);
