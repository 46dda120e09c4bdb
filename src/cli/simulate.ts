/**
 * `escalon simulate --policy POLICY --workload EVENTS.jsonl [--out OUT.jsonl] [--until INSTANT] [--model MODEL.json]`
 * (the contract (docs/contract.md) §6): the engine in virtual time. The workload streams through
 * (read, checked, applied, written as it comes: nothing is held but the tickets' states and a
 * write buffer). Every line is checked; the first bad one stops the run — nothing more is
 * written, --out is left empty — and the rest are still checked, so a bad workload is refused
 * with each bad line's number. Output lines go to --out or stdout in writes of about 1 MiB, the
 * first held back until 8 MiB are ready (so a run refused before producing that much wrote
 * nothing to stdout either); the progress bar and the summary go to stderr.
 */
import { createReadStream, createWriteStream, openSync, readFileSync, statSync, truncateSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { Engine } from '../domain/engine/engine.ts';
import type { EngineEvent } from '../domain/engine/types.ts';
import { parsePolicy } from '../domain/policy/parse.ts';
import { Simulation, SimulationError, outputLineText, type SimulationRisk } from '../domain/simulation.ts';
import { parseWorkloadLine, type WorkloadLine } from '../domain/workload.ts';
import type { RiskDeps } from '../app/risk-wiring.ts';
import { fileProblem } from '../file-problem.ts';
import { readModelFile } from './json-file.ts';

const DAY = 24 * 3600 * 1000;
const MAX_REPORTED = 50;
/** Output is written in pieces of about this size… */
const WRITE_BYTES = 1 << 20;
/** …except the first, held back until this much is ready (a refusal before it leaves stdout empty). */
const HOLD_BYTES = 8 << 20;

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

/**
 * The workload file's lines, in batches (one per chunk read), with the bytes read so far. Lines
 * end at \n, \r\n or a lone \r, as readline splits them. A file that cannot be read is a CliError.
 */
async function* workloadTexts(path: string): AsyncGenerator<{ texts: string[]; bytes: number }> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  // The stream reports a missing or unreadable file only once read; say so plainly.
  await new Promise<void>((resolve, reject) => {
    input.once('ready', () => resolve());
    input.once('error', (e) => reject(new CliError(`cannot read workload ${path}: ${fileProblem(e)}`)));
  });
  let rest = '';
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const text = rest + chunk;
      const pieces = text.split('\n');
      rest = pieces.pop() as string;
      // A \r at the very end may be half of a \r\n: keep it with the rest.
      yield { texts: splitReturns(pieces), bytes: input.bytesRead };
    }
  } catch (e) {
    throw new CliError(`cannot read workload ${path}: ${fileProblem(e)}`);
  }
  if (rest !== '') yield { texts: splitReturns([rest]), bytes: input.bytesRead };
}

/** Pieces split at \n: one \r before the \n belongs to the line end; any other \r ends a line too. */
function splitReturns(pieces: string[]): string[] {
  let out: string[] | null = null;
  for (let i = 0; i < pieces.length; i++) {
    let p = pieces[i] as string;
    if (!p.includes('\r')) {
      out?.push(p);
      continue;
    }
    out ??= pieces.slice(0, i);
    if (p.endsWith('\r')) p = p.slice(0, -1);
    out.push(...p.split('\r'));
  }
  return out ?? pieces;
}

/**
 * Reads a workload line by line, checking each: `onLine` gets every good line, in order, until it
 * returns false (then the rest are only checked). Returns the problems found (each with the file
 * and line number), at most MAX_REPORTED of them spelt out.
 */
async function checkWorkload(path: string, onLine: (line: WorkloadLine, ok: boolean) => boolean, onProgress?: (bytes: number) => void | Promise<void>): Promise<string[]> {
  const problems: string[] = [];
  let count = 0;
  let lastAt = -Infinity;
  for await (const { texts, bytes } of workloadTexts(path)) {
    for (const text of texts) {
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
      onLine(parsed.value, problems.length === 0);
    }
    await onProgress?.(bytes);
  }
  return problems;
}

/**
 * Output lines encoded straight into 1 MiB buffers as they come (no long string kept alive and
 * flattened later: the lines are garbage at once, the bytes are what gets written).
 */
class OutputBuffer {
  private readonly full: Buffer[] = [];
  private current = Buffer.allocUnsafe(WRITE_BYTES);
  private used = 0;
  bytes = 0;

  /** One line; the newline is added. */
  add(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; a line that might not fit starts a new buffer.
    if (this.used + 3 * line.length + 1 > WRITE_BYTES) {
      this.seal();
      if (3 * line.length + 1 > WRITE_BYTES) {
        const big = Buffer.from(`${line}\n`);
        this.full.push(big);
        this.bytes += big.length;
        return;
      }
    }
    const n = this.current.write(line, this.used);
    this.current[this.used + n] = 10;
    this.used += n + 1;
    this.bytes += n + 1;
  }

  /** Everything added so far, in order; the buffer is empty after. */
  take(): Buffer[] {
    this.seal();
    const out = this.full.splice(0);
    this.bytes = 0;
    return out;
  }

  clear(): void {
    this.take();
  }

  private seal(): void {
    if (this.used === 0) return;
    this.full.push(this.current.subarray(0, this.used));
    this.current = Buffer.allocUnsafe(WRITE_BYTES);
    this.used = 0;
  }
}

function refusal(problems: string[]): CliError {
  const shown = problems.slice(0, MAX_REPORTED);
  if (problems.length > MAX_REPORTED) shown.push(`… and ${problems.length - MAX_REPORTED} more bad lines`);
  return new CliError(`workload refused: ${problems.length} bad line(s)\n${shown.join('\n')}`);
}

/** Every line of a workload, checked (risk train/score/evaluate need them all at once). */
export async function readWorkload(path: string): Promise<WorkloadLine[]> {
  const lines: WorkloadLine[] = [];
  const problems = await checkWorkload(path, (line) => {
    lines.push(line);
    return true;
  });
  if (problems.length > 0) throw refusal(problems);
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


/** `deps`: the risk wiring (default: the real one, loaded only when --model asks for it). */
export async function simulate(opts: SimulateOptions, out: Writable, err: Writable, given?: RiskDeps | null): Promise<Summary> {
  const until = parseUntil(opts.until);
  const policy = loadPolicyFile(opts.policy);
  let risk: SimulationRisk | null = null;
  if (opts.model !== undefined) {
    const deps = given === undefined ? (await import('../app/risk-wiring.ts')).riskDeps() : given;
    if (!deps) throw new CliError('--model: this build of Escalon has no risk models');
    risk = { fold: deps.fold, model: readModelFile(opts.model, deps.load), profiles: deps.profiles() };
  }
  const engine = new Engine({ policy });
  const summary: Summary = { tickets: 0, inputs: 0, events: 0, breaches: {}, escalations: {} };
  const buffer = new OutputBuffer();
  let held = true;
  const flush = async () => {
    held = false;
    for (const chunk of buffer.take()) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  };
  const sink = (e: EngineEvent) => {
    if (until !== null && e.at > until) return;
    buffer.add(outputLineText(e));
    if (e.type === 'sla.breached') {
      const metric = String(e.data.metric);
      summary.breaches[metric] = (summary.breaches[metric] ?? 0) + 1;
    } else if (e.type === 'ticket.escalated') {
      const key = `${String(e.data.to_level)}/${String(e.data.to_team)}`;
      summary.escalations[key] = (summary.escalations[key] ?? 0) + 1;
    }
  };
  const sim = new Simulation(engine, sink, undefined, risk);
  let size = 0;
  try {
    size = statSync(opts.workload).size;
  } catch {
    // reported by the reader, in its words
  }
  const showBar = opts.progress !== false && size >= 2 << 20 && Boolean((err as NodeJS.WriteStream).isTTY);
  const bar = showBar ? new SingleBar({ stream: err as NodeJS.WriteStream, format: 'simulate [{bar}] {percentage}% {value}/{total} MiB read' }) : null;
  const mib = (bytes: number) => Math.round(bytes / (1 << 20));
  bar?.start(mib(size), 0);
  // The engine runs while lines are good, before --until, and until it refuses one.
  let running = true;
  let failed: CliError | null = null;
  let problems: string[];
  try {
    problems = await checkWorkload(
      opts.workload,
      (line, ok) => {
        if (!ok) buffer.clear();
        if (!running || !ok || (until !== null && line.at > until)) return (running = false);
        try {
          sim.input(line);
        } catch (e) {
          if (!(e instanceof SimulationError)) throw e;
          failed = new CliError(`${opts.workload}:${e.line}: ${e.message.replace(/^line \d+: /, '')}`);
          running = false;
          buffer.clear();
        }
        return running;
      },
      async (bytes) => {
        bar?.update(mib(bytes));
        if (buffer.bytes > (held ? HOLD_BYTES : WRITE_BYTES)) await flush();
      },
    );
  } finally {
    bar?.stop();
  }
  if (problems.length > 0) throw refusal(problems);
  if (failed) throw failed;
  const last = sim.lastInputAt;
  sim.finish(until ?? (Number.isFinite(last) ? last + 30 * DAY : 0));
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
        if (opts.out) {
          await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(() => resolve()));
          // Refused: what was written before the bad line does not stand (a file; not a pipe or device).
          if (process.exitCode === 1 && statSync(opts.out, { throwIfNoEntry: false })?.isFile()) truncateSync(opts.out, 0);
        }
      }
    });
}
