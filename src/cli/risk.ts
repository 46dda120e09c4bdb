/**
 * `escalon risk …` (issue 14): train, score and evaluate an escalation-risk model.
 *
 *   escalon risk train --workload W.jsonl --labels L.json --out MODEL.json [--policy P] [--seed N]
 *                      [--opened-before INSTANT | --train-share 0.7]
 *   escalon risk train --from-db [--target breach|escalation] --out MODEL.json
 *   escalon risk score --model MODEL.json --workload W.jsonl [--out S.jsonl]
 *   escalon risk evaluate --model MODEL.json --workload W.jsonl --labels L.json [--json] [--all]
 *
 * `register` returns the `risk` command so that other subcommands (`risk use`) can be added.
 * Bad input (a missing file, a bad line, a ticket without a label, a model file of another
 * kind) is one clear message and exit status 1, never a stack trace.
 */
import { createWriteStream, openSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Policy } from '../domain/policy/types.ts';
import type { RiskTarget } from '../domain/risk/api.ts';
import { loadRiskModel, type LoadedRiskModel } from '../domain/risk/model.ts';
import { SimulationError } from '../domain/simulation.ts';
import type { WorkloadLine } from '../domain/workload.ts';
import { fileProblem } from '../file-problem.ts';
import { type Evaluation, EvaluateError, evaluateRiskModel } from '../risk/evaluate.ts';
import { replay } from '../risk/replay.ts';
import { TrainError, openings, trainRiskModel } from '../risk/train.ts';
import { CliError, loadPolicyFile, readWorkload } from './simulate.ts';
import { readJsonFile, readModelFile } from './json-file.ts';

export const DEFAULT_POLICY = fileURLToPath(new URL('../../policies/reference.policy.yaml', import.meta.url));

/** The labels file (`escalon import servicenow --made-sla`): ticket → true when it met its SLA. Returns ticket → bad outcome. */
export function readLabels(path: string): Map<string, boolean> {
  const json = readJsonFile(path, 'labels', 'give the file `escalon import servicenow --made-sla` writes');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CliError(`labels ${path}: expected an object { "TICKET": true|false } (true = met its SLA), as written by \`escalon import servicenow --made-sla\``);
  }
  const out = new Map<string, boolean>();
  for (const [ref, v] of Object.entries(json)) {
    if (typeof v !== 'boolean') throw new CliError(`labels ${path}: ticket ${ref} has ${JSON.stringify(v)}; each ticket needs true (met its SLA) or false`);
    out.set(ref, !v);
  }
  return out;
}

export function readModel(path: string): LoadedRiskModel {
  return readModelFile(path, loadRiskModel);
}

function parseInstant(flag: string, value: string): number {
  const ms = Date.parse(value);
  if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) || !Number.isFinite(ms)) {
    throw new CliError(`${flag} ${value}: give an ISO-8601 instant with an offset, e.g. 2016-05-01T00:00:00Z`);
  }
  return ms;
}

function parseSeed(value: string | undefined): number {
  if (value === undefined) return 42;
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Math.abs(Number(value)) > 2 ** 31 - 1) {
    throw new CliError(`--seed ${value}: give a whole number (a 32-bit integer)`);
  }
  return Number(value);
}

/** The cut of a time-ordered split: tickets opened strictly before it train. */
export function splitCut(lines: readonly WorkloadLine[], openedBefore: string | undefined, trainShare: string | undefined): number | null {
  if (openedBefore !== undefined && trainShare !== undefined) throw new CliError('give --opened-before or --train-share, not both');
  if (openedBefore !== undefined) return parseInstant('--opened-before', openedBefore);
  if (trainShare === undefined) return null;
  const share = Number(trainShare);
  if (!Number.isFinite(share) || share <= 0 || share > 1) throw new CliError(`--train-share ${trainShare}: give a share in (0, 1], e.g. 0.7`);
  if (share === 1) return null;
  const opened = [...openings(lines).values()].sort((a, b) => a - b);
  const at = opened[Math.floor(opened.length * share)];
  return at ?? null;
}

function progressBar(err: Writable, enabled: boolean, label: string): { update(d: number, t: number): void; stop(): void } {
  if (!enabled || !(err as NodeJS.WriteStream).isTTY) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({ stream: err as NodeJS.WriteStream, format: `${label} {phase} [{bar}] {percentage}% {value}/{total}` });
  let started = false;
  let phase = '';
  return {
    update(d: number, t: number, p = '') {
      if (!started || p !== phase) {
        if (started) bar.stop();
        bar.start(t, d, { phase: p });
        started = true;
        phase = p;
      }
      bar.update(d, { phase: p });
    },
    stop() {
      if (started) bar.stop();
    },
  } as { update(d: number, t: number, p?: string): void; stop(): void };
}

export interface TrainFlags {
  workload?: string;
  labels?: string;
  out: string;
  policy?: string;
  seed?: string;
  openedBefore?: string;
  trainShare?: string;
  fromDb?: boolean;
  target?: string;
  progress?: boolean;
}

/** Training moment: SOURCE_DATE_EPOCH (seconds) when set, for reproducible files; else now. */
function trainedAt(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date();
}

export async function trainFromFiles(flags: TrainFlags, err: Writable): Promise<string> {
  if (!flags.workload || !flags.labels) throw new CliError('give --workload W.jsonl and --labels L.json (or --from-db)');
  if (flags.target !== undefined && flags.target !== 'breach') {
    throw new CliError(`--target ${flags.target}: a labels file says whether each ticket met its SLA, so its target is breach; --target escalation needs --from-db`);
  }
  const seed = parseSeed(flags.seed);
  const policy = loadPolicyFile(flags.policy ?? DEFAULT_POLICY);
  const bad = readLabels(flags.labels);
  const lines = await readWorkload(flags.workload);
  const cut = splitCut(lines, flags.openedBefore, flags.trainShare);
  return train(lines, bad, policy, 'breach', seed, cut, flags, err);
}

export async function train(
  lines: readonly WorkloadLine[],
  bad: ReadonlyMap<string, boolean>,
  policy: Policy,
  target: RiskTarget,
  seed: number,
  cut: number | null,
  flags: { out: string; progress?: boolean; fromDb?: boolean },
  err: Writable,
): Promise<string> {
  const started = performance.now();
  const bar = progressBar(err, flags.progress !== false, 'risk train') as { update(d: number, t: number, p?: string): void; stop(): void };
  let result;
  try {
    result = trainRiskModel({
      lines,
      bad,
      policy,
      target,
      seed,
      cut,
      trainedAt: trainedAt(),
      labelledOnly: flags.fromDb,
      lenient: flags.fromDb,
      onProgress: (p, d, t) => bar.update(d, t, p),
    });
  } catch (e) {
    bar.stop();
    if (e instanceof TrainError) throw new CliError(e.message);
    if (e instanceof SimulationError) throw new CliError(`workload line ${e.line}: ${e.message.replace(/^line \d+: /, '')}`);
    throw e;
  }
  bar.stop();
  try {
    writeFileSync(flags.out, result.json);
  } catch (e) {
    throw new CliError(`cannot write ${flags.out}: ${fileProblem(e)}`);
  }
  const secs = (performance.now() - started) / 1000;
  const v = result.validation;
  const f3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
  return (
    `trained on ${result.trainTickets} tickets opened up to ${result.file.meta.trainedThrough} (${result.rows} rows) in ${secs.toFixed(1)} s\n` +
    `validation (the latest ${v.tickets} training tickets, ${v.lines} lines): AUC ${f3(v.auc)} over all lines, ${f3(v.aucAtOpening)} at opening\n` +
    `model ${result.file.meta.id} written to ${flags.out} (${(result.json.length / 1024).toFixed(0)} KiB)\n`
  );
}

export interface ScoreFlags {
  model: string;
  workload: string;
  out?: string;
  policy?: string;
  progress?: boolean;
}

export async function score(flags: ScoreFlags, out: Writable, err: Writable): Promise<number> {
  const model = readModel(flags.model);
  const policy = loadPolicyFile(flags.policy ?? DEFAULT_POLICY);
  const lines = await readWorkload(flags.workload);
  const bar = progressBar(err, flags.progress !== false && lines.length >= 10_000, 'risk score') as { update(d: number, t: number, p?: string): void; stop(): void };
  let buffer = '';
  const chunks: string[] = [];
  try {
    replay(lines, {
      policy,
      onLine: ({ line, seen, subject }) => {
        const s = model.score(subject);
        buffer += JSON.stringify({ ticket: line.ref, at: new Date(line.at).toISOString(), seen, risk: s.risk, reasons: s.reasons }) + '\n';
        if (buffer.length > 1 << 16) {
          chunks.push(buffer);
          buffer = '';
        }
      },
      onProgress: (d, t) => bar.update(d, t, 'lines'),
    });
  } catch (e) {
    bar.stop();
    if (e instanceof SimulationError) throw new CliError(`${flags.workload}:${e.line}: ${e.message.replace(/^line \d+: /, '')}`);
    throw e;
  }
  bar.stop();
  chunks.push(buffer);
  for (const c of chunks) {
    if (!out.write(c)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  return lines.length;
}

export interface EvaluateFlags {
  model: string;
  workload: string;
  labels: string;
  policy?: string;
  json?: boolean;
  all?: boolean;
  progress?: boolean;
}

export async function evaluate(flags: EvaluateFlags, err: Writable): Promise<Evaluation> {
  const model = readModel(flags.model);
  const policy = loadPolicyFile(flags.policy ?? DEFAULT_POLICY);
  const bad = readLabels(flags.labels);
  const lines = await readWorkload(flags.workload);
  const bar = progressBar(err, flags.progress !== false && lines.length >= 10_000, 'risk evaluate') as { update(d: number, t: number, p?: string): void; stop(): void };
  try {
    return evaluateRiskModel(model, lines, bad, policy, { all: flags.all, onProgress: (d, t) => bar.update(d, t, 'lines') });
  } catch (e) {
    if (e instanceof EvaluateError) throw new CliError(e.message);
    if (e instanceof SimulationError) throw new CliError(`${flags.workload}:${e.line}: ${e.message.replace(/^line \d+: /, '')}`);
    throw e;
  } finally {
    bar.stop();
  }
}

export function formatEvaluation(e: Evaluation): string {
  const f = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
  const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);
  const rows = [
    e.afterTraining
      ? `${e.tickets} tickets opened after the model's training data (${e.trainedThrough}); ${e.skippedTrainingTickets} earlier tickets not evaluated`
      : `${e.tickets} tickets (all of the workload, including the model's training tickets: not an out-of-time figure)`,
    '',
    'after lines  tickets  bad    ROC-AUC  PR-AUC  recall@10%  recall@20%  recall@30%  Brier',
  ];
  for (const c of e.checkpoints) {
    rows.push(
      [
        (c.lines === 1 ? '1 (opening)' : String(c.lines)).padEnd(11),
        String(c.tickets).padStart(7),
        String(c.positives).padStart(5),
        f(c.rocAuc).padStart(8),
        f(c.prAuc).padStart(7),
        pct(c.recall['10%'] ?? null).padStart(10),
        pct(c.recall['20%'] ?? null).padStart(11),
        pct(c.recall['30%'] ?? null).padStart(11),
        f(c.brier).padStart(6),
      ].join('  '),
    );
  }
  rows.push('', `calibration over all ${e.lines} scored lines: Brier ${f(e.brier)}`, 'risk        lines  mean risk  observed');
  for (const b of e.reliability) {
    rows.push(`${b.from.toFixed(1)}–${b.to.toFixed(1)}  ${String(b.n).padStart(7)}  ${f(b.predicted).padStart(9)}  ${f(b.observed).padStart(8)}`);
  }
  return rows.join('\n') + '\n';
}

async function run(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`escalon risk ${name}: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

/** Registers `risk train|score|evaluate` and returns the `risk` command (for `risk use`). */
export function register(program: Command): Command {
  const risk = program.command('risk').description('escalation-risk prediction: train a model on history, score tickets, measure it');
  risk
    .command('train')
    .description('train a risk model from a workload and its outcomes (or from the database)')
    .option('--workload <file>', 'workload, one JSON event a line (e.g. from escalon import servicenow)')
    .option('--labels <file>', 'ticket → true when it met its SLA (escalon import servicenow --made-sla)')
    .requiredOption('--out <file>', 'write the model here (JSON)')
    .option('--policy <file>', 'policy the replay runs under (default: the reference policy)')
    .option('--seed <n>', 'seed of the random draws (same data + seed → same model)', '42')
    .option('--opened-before <instant>', 'train only on tickets opened before this instant')
    .option('--train-share <share>', 'train only on this share of the tickets, earliest opened first (e.g. 0.7)')
    .option('--from-db', "train on the tickets of the configured database (ESCALON_DATABASE_URL) instead")
    .option('--target <target>', 'breach | escalation: what the model predicts (a labels file gives breach; --from-db either)')
    .option('--no-progress', 'no progress bar')
    .action((flags: TrainFlags) =>
      run('train', async () => {
        if (flags.fromDb) {
          if (flags.workload || flags.labels) throw new CliError('--from-db reads the database: give no --workload or --labels');
          if (flags.openedBefore || flags.trainShare) throw new CliError('--from-db trains on every finished ticket: --opened-before and --train-share apply to a workload');
          const { trainFromDb } = await import('./risk-db.ts');
          process.stderr.write(await trainFromDb(flags, process.stderr));
          return;
        }
        process.stderr.write(await trainFromFiles(flags, process.stderr));
      }),
    );
  risk
    .command('score')
    .description('score every line of a workload: one JSON line {ticket, at, seen, risk, reasons} per input line')
    .requiredOption('--model <file>', 'model file (escalon risk train)')
    .requiredOption('--workload <file>', 'workload, one JSON event a line')
    .option('--out <file>', 'write the scores here instead of standard output')
    .option('--policy <file>', 'policy the replay runs under (default: the reference policy)')
    .option('--no-progress', 'no progress bar')
    .action((flags: ScoreFlags) =>
      run('score', async () => {
        let out: Writable = process.stdout;
        if (flags.out) {
          // Check the inputs first, so that a bad model does not leave an empty output file.
          readModel(flags.model);
          try {
            out = createWriteStream('', { fd: openSync(flags.out, 'w') });
          } catch (e) {
            throw new CliError(`cannot write ${flags.out}: ${fileProblem(e)}`);
          }
        }
        try {
          const n = await score(flags, out, process.stderr);
          process.stderr.write(`scored ${n} lines\n`);
        } finally {
          if (flags.out) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(() => resolve()));
        }
      }),
    );
  risk
    .command('evaluate')
    .description("measure a model on tickets opened after its training data: ROC-AUC, PR-AUC, recall at alert budgets, calibration")
    .requiredOption('--model <file>', 'model file (escalon risk train)')
    .requiredOption('--workload <file>', 'workload, one JSON event a line')
    .requiredOption('--labels <file>', 'ticket → true when it met its SLA')
    .option('--policy <file>', 'policy the replay runs under (default: the reference policy)')
    .option('--all', "evaluate every ticket, also those the model was trained on (not an out-of-time figure)")
    .option('--json', 'JSON instead of a table')
    .option('--no-progress', 'no progress bar')
    .action((flags: EvaluateFlags) =>
      run('evaluate', async () => {
        const e = await evaluate(flags, process.stderr);
        process.stdout.write(flags.json ? JSON.stringify(e, null, 2) + '\n' : formatEvaluation(e));
      }),
    );
  return risk;
}
