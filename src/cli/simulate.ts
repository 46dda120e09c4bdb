/**
 * `escalon simulate --policy POLICY --workload EVENTS.jsonl [--out OUT.jsonl] [--until INSTANT] [--model MODEL.json]`
 * (the contract (docs/contract.md) §6): the engine in virtual time. Every line is checked before the run starts, so
 * a bad workload is refused whole with each bad line's number; output lines go to --out or
 * stdout, the progress bar and the summary to stderr.
 */
import { createReadStream, createWriteStream, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { Engine } from '../domain/engine/engine.ts';
import type { EngineEvent } from '../domain/engine/types.ts';
import { parsePolicy } from '../domain/policy/parse.ts';
import { Simulation, SimulationError, toOutputLine, type SimulationRisk } from '../domain/simulation.ts';
import { parseWorkloadLine, type WorkloadLine } from '../domain/workload.ts';
import { riskDeps, type RiskDeps } from '../app/risk-wiring.ts';
import { fileProblem } from '../file-problem.ts';
import { readModelFile } from './json-file.ts';

const DAY = 24 * 3600 * 1000;
const MAX_REPORTED = 50;

export interface SimulateOptions {
  policy: string;
  workload: string;
  out?: string;
  until?: string;
  progress?: boolean;
  /** A risk model file (issue 14): the tickets are scored as they would be live. */
  model?: string;
}

export class CliError extends Error {}

export async function readWorkload(path: string): Promise<WorkloadLine[]> {
  const lines: WorkloadLine[] = [];
  const problems: string[] = [];
  let count = 0;
  let lastAt = -Infinity;
  const input = createReadStream(path);
  // The stream reports a missing or unreadable file only once read; say so plainly.
  const opened = new Promise<void>((resolve, reject) => {
    input.once('ready', () => resolve());
    input.once('error', (e) => reject(new CliError(`cannot read workload ${path}: ${fileProblem(e)}`)));
  });
  await opened;
  const rl = createInterface({ input, crlfDelay: Infinity });
  const read = async function* () {
    try {
      yield* rl;
    } catch (e) {
      throw new CliError(`cannot read workload ${path}: ${fileProblem(e)}`);
    }
  };
  for await (const text of read()) {
    count++;
    if (text.trim() === '') continue;
    const parsed = parseWorkloadLine(text, count);
    if (!parsed.ok) {
      problems.push(`${path}:${parsed.line}: ${parsed.message}`);
      continue;
    }
    if (parsed.value.at < lastAt) {
      problems.push(`${path}:${count}: out of order: 'at' is earlier than the line before (lines must be in non-decreasing time order)`);
    }
    lastAt = Math.max(lastAt, parsed.value.at);
    lines.push(parsed.value);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_REPORTED);
    if (problems.length > MAX_REPORTED) shown.push(`… and ${problems.length - MAX_REPORTED} more bad lines`);
    throw new CliError(`workload refused: ${problems.length} bad line(s)\n${shown.join('\n')}`);
  }
  return lines;
}

export function loadPolicyFile(path: string) {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read policy ${path}: ${fileProblem(e)}`);
  }
  const parsed = parsePolicy(source, { format: path.endsWith('.json') ? 'json' : 'yaml' });
  if (!parsed.ok) {
    const lines = parsed.problems.map((p) => `${path}:${p.line ?? '?'}: ${p.path}: ${p.message}`);
    throw new CliError(`policy refused: ${parsed.problemsTotal} problem(s)\n${lines.join('\n')}`);
  }
  return parsed.policy;
}

function parseUntil(value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) || !Number.isFinite(ms)) {
    throw new CliError(`--until ${value}: give an ISO-8601 instant with an offset, e.g. 2026-12-31T00:00:00Z`);
  }
  return ms;
}

export interface Summary {
  tickets: number;
  inputs: number;
  events: number;
  breaches: Record<string, number>;
  escalations: Record<string, number>;
}


export async function simulate(opts: SimulateOptions, out: Writable, err: Writable, deps: RiskDeps | null = riskDeps()): Promise<Summary> {
  const until = parseUntil(opts.until);
  const policy = loadPolicyFile(opts.policy);
  let risk: SimulationRisk | null = null;
  if (opts.model !== undefined) {
    if (!deps) throw new CliError('--model: this build of Escalon has no risk models');
    risk = { fold: deps.fold, model: readModelFile(opts.model, deps.load), profiles: deps.profiles() };
  }
  const lines = await readWorkload(opts.workload);
  const engine = new Engine({ policy });
  const summary: Summary = { tickets: 0, inputs: 0, events: 0, breaches: {}, escalations: {} };
  let buffer = '';
  const flush = async () => {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = '';
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const sink = (e: EngineEvent) => {
    if (until !== null && e.at > until) return;
    buffer += JSON.stringify(toOutputLine(e)) + '\n';
    if (e.type === 'sla.breached') {
      const metric = String(e.data.metric);
      summary.breaches[metric] = (summary.breaches[metric] ?? 0) + 1;
    } else if (e.type === 'ticket.escalated') {
      const key = `${String(e.data.to_level)}/${String(e.data.to_team)}`;
      summary.escalations[key] = (summary.escalations[key] ?? 0) + 1;
    }
  };
  const sim = new Simulation(engine, sink, undefined, risk);
  const showBar = opts.progress !== false && lines.length >= 10_000 && Boolean((err as NodeJS.WriteStream).isTTY);
  const bar = showBar ? new SingleBar({ stream: err as NodeJS.WriteStream, format: 'simulate [{bar}] {percentage}% {value}/{total} lines' }) : null;
  bar?.start(lines.length, 0);
  try {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as WorkloadLine;
      if (until !== null && line.at > until) break;
      sim.input(line);
      if (buffer.length > 1 << 16) await flush();
      if (bar && i % 1000 === 0) bar.update(i);
    }
    const last = sim.lastInputAt;
    sim.finish(until ?? (Number.isFinite(last) ? last + 30 * DAY : 0));
  } catch (e) {
    bar?.stop();
    if (e instanceof SimulationError) throw new CliError(`${opts.workload}:${e.line}: ${e.message.replace(/^line \d+: /, '')}`);
    throw e;
  }
  bar?.update(lines.length);
  bar?.stop();
  await flush();
  summary.tickets = sim.stats.tickets;
  summary.inputs = sim.stats.inputs;
  summary.events = sim.stats.events;
  return summary;
}

export function formatSummary(s: Summary): string {
  const rows = [`simulated ${s.tickets} tickets, ${s.inputs} input events, ${s.events} output events`];
  const breaches = Object.entries(s.breaches);
  rows.push(`breaches: ${breaches.length === 0 ? 'none' : breaches.map(([m, n]) => `${m} ${n}`).join(', ')}`);
  const escalations = Object.entries(s.escalations).sort();
  rows.push(`escalations: ${escalations.length === 0 ? 'none' : escalations.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return rows.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('replay a workload against a policy in virtual time (JSONL in, JSONL out)')
    .requiredOption('--policy <file>', 'policy document (YAML or JSON)')
    .requiredOption('--workload <file>', 'workload, one JSON event a line')
    .option('--out <file>', 'write the event log here instead of standard output')
    .option('--until <instant>', 'stop after the timers due at this instant (inclusive); default 30 days after the last input')
    .option('--model <file>', 'score the tickets with this risk model (escalon risk train) after every line and timer, as live')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: SimulateOptions) => {
      let out: Writable = process.stdout;
      if (opts.out) {
        try {
          out = createWriteStream('', { fd: openSync(opts.out, 'w') });
        } catch (e) {
          process.stderr.write(`escalon simulate: cannot write ${opts.out}: ${fileProblem(e)}\n`);
          process.exitCode = 1;
          return;
        }
      }
      try {
        const summary = await simulate(opts, out, process.stderr);
        process.stderr.write(formatSummary(summary));
      } catch (e) {
        if (e instanceof CliError) {
          process.stderr.write(`escalon simulate: ${e.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw e;
      } finally {
        if (opts.out) await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(() => resolve()));
      }
    });
}
