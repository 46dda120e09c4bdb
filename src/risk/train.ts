/**
 * Training a risk model (issue 14), offline: replay a workload through the engine (src/risk/replay.ts),
 * take one sample per input line of each training ticket (the ticket as it stood right after
 * that line), label it with the ticket's outcome, and fit.
 *
 * - Split by time: training tickets are those opened before the cut; of them, the latest 20 %
 *   by opening are the validation slice (calibration and the validation AUC); the forests
 *   learn from the earlier 80 %.
 * - Encoders (target rate and frequency of each categorical value) are fitted out of fold on
 *   the forests' rows (5 folds by ticket: a row never sees its own ticket's label), on the
 *   earlier 80 % for the validation rows, and on every training ticket for the stored model.
 * - Each ticket counts comparably: every forest sees at most `LINES_PER_TICKET` lines of each
 *   ticket, drawn with the seed (a different draw per forest, which also makes the forests
 *   differ); encoder counts and the calibration weigh a ticket's lines 1/lines each.
 * - ml-cart, under ml-random-forest, tries a split at every change of label along a sorted
 *   feature, which is quadratic in rows on noisy labels. Features are therefore binned on
 *   training quantiles (≤ BINS values) and rows handed over sorted by label: with a stable
 *   sort, each feature then offers at most ~2 × BINS split points, and training stays linear.
 *   Bagging of rows would undo that order, so the forests bag features (maxFeatures) and
 *   differ in their line draws instead.
 * - Deterministic: same lines, labels, policy, seed and `trainedAt` → the same JSON, byte
 *   for byte (meta.id is a hash of the content).
 */
import { createHash } from 'node:crypto';
import { RandomForestRegression } from 'ml-random-forest';
import type { Policy } from '../domain/policy/types.ts';
import type { RiskModelMeta, RiskTarget } from '../domain/risk/api.ts';
import {
  type Categorical,
  EncoderFitter,
  type Encoders,
  FEATURE_NAMES,
  categoricalValues,
  encodedFeatures,
  numericFeatures,
} from '../domain/risk/features.ts';
import { rocAuc } from '../domain/risk/metrics.ts';
import { type Calibration, MODEL_KIND, MODEL_VERSION, type RiskModelFile, binOf, calibrate, rawScores } from '../domain/risk/model.ts';
import type { WorkloadLine } from '../domain/workload.ts';
import { replay } from './replay.ts';
import { mulberry32 } from '../domain/random.ts';

export const BINS = 8;
export const FORESTS = 4;
export const TREES_PER_FOREST = 5;
export const LINES_PER_TICKET = 2;
export const FOLDS = 5;
export const SMOOTHING = 10;
/** Encoder counts fade with the age of the ticket (relative to the latest training opening): the outcome rates drift. 0 = no fading. */
export const HALF_LIFE_DAYS = 14;
export const VALIDATION_SHARE = 0.2;

export class TrainError extends Error {}

export interface TrainOptions {
  lines: readonly WorkloadLine[];
  /** Ticket → the bad outcome happened (breached / escalated). */
  bad: ReadonlyMap<string, boolean>;
  policy: Policy;
  target: RiskTarget;
  seed: number;
  /** Train on tickets opened strictly before this instant (ms); null: all. */
  cut: number | null;
  trainedAt: Date;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Choices made on the validation slice (defaults: SMOOTHING, HALF_LIFE_DAYS). */
  tuning?: { smoothing?: number; halfLifeDays?: number };
  /** Train only on tickets with an outcome (others are replayed for the profiles); default: every ticket needs one. */
  labelledOnly?: boolean;
  /** Skip lines the engine refuses (histories rebuilt from a database). */
  lenient?: boolean;
}

export interface TrainResult {
  file: RiskModelFile;
  json: string;
  /** Validation AUC on all the slice's lines and at opening. */
  validation: { auc: number; aucAtOpening: number | null; tickets: number; lines: number };
  trainTickets: number;
  rows: number;
}

interface Sample {
  ref: string;
  seen: number;
  numeric: number[];
  cats: Record<Categorical, string[]>;
}

/** The seeded generator of the line draws. */
export const rng = mulberry32;

function hash32(s: string, seed: number): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Opening instant of each ticket (its ticket.created line). */
export function openings(lines: readonly WorkloadLine[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) if (l.input.type === 'ticket.created' && !out.has(l.ref)) out.set(l.ref, l.at);
  return out;
}

/** Weighted isotonic regression (pool adjacent violators) of outcomes on raw scores. */
export function isotonic(raw: readonly number[], y: readonly boolean[], w: readonly number[]): Calibration {
  const order = raw.map((_, i) => i).sort((a, b) => (raw[a] as number) - (raw[b] as number) || a - b);
  const blocks: { x: number; y: number; w: number }[] = [];
  for (const i of order) {
    const wi = w[i] as number;
    blocks.push({ x: (raw[i] as number) * wi, y: (y[i] ? 1 : 0) * wi, w: wi });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1] as { x: number; y: number; w: number };
      const a = blocks[blocks.length - 2] as { x: number; y: number; w: number };
      if (a.y / a.w < b.y / b.w) break;
      a.x += b.x;
      a.y += b.y;
      a.w += b.w;
      blocks.pop();
    }
  }
  const r6 = (v: number): number => Math.round(v * 1e6) / 1e6;
  // Interpolating between block centres keeps the forests' ranking inside flat blocks.
  const xs: number[] = [];
  const ys: number[] = [];
  for (const b of blocks) {
    const x = r6(b.x / b.w);
    const yv = r6(Math.min(0.999, Math.max(0.001, b.y / b.w)));
    if (xs.length > 0 && x <= (xs[xs.length - 1] as number)) continue;
    xs.push(x);
    ys.push(yv);
  }
  if (xs.length === 0) return { x: [0], y: [0.5] };
  return { x: xs, y: ys };
}

function quantileEdges(values: number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let q = 1; q < BINS; q++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((q / BINS) * sorted.length))] as number;
    // A cut point above the smallest value only: bin 0 holds everything below the first edge.
    if (v > (sorted[0] as number) && (edges.length === 0 || v > (edges[edges.length - 1] as number))) edges.push(v);
  }
  return edges;
}

export function trainRiskModel(opts: TrainOptions): TrainResult {
  const opened = openings(opts.lines);
  const cut = opts.cut ?? Infinity;
  const training = [...opened.entries()].filter(([ref, at]) => at < cut && (!opts.labelledOnly || opts.bad.has(ref))).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const missing = training.filter(([ref]) => !opts.bad.has(ref)).map(([ref]) => ref);
  if (missing.length > 0) {
    throw new TrainError(
      `the labels have no outcome for ${missing.length} training ticket(s), e.g. ${missing.slice(0, 5).join(', ')}: give every ticket of the workload an outcome`,
    );
  }
  if (training.length < 20) throw new TrainError(`only ${training.length} ticket(s) to train on: at least 20 are needed`);
  const valStart = Math.floor(training.length * (1 - VALIDATION_SHARE));
  const role = new Map<string, 'fit' | 'val'>();
  training.forEach(([ref], i) => role.set(ref, i < valStart ? 'fit' : 'val'));
  const outcomes = [true, false].map((b) => training.filter(([ref]) => opts.bad.get(ref) === b).length);
  if (outcomes[0] === 0 || outcomes[1] === 0) {
    throw new TrainError('every training ticket has the same outcome: a model needs tickets with and without the bad outcome');
  }

  // 1. Replay, keeping one sample per line of each training ticket.
  let lastNeeded = -1;
  opts.lines.forEach((l, i) => {
    if (role.has(l.ref)) lastNeeded = i;
  });
  const samples: Sample[] = [];
  replay(opts.lines.slice(0, lastNeeded + 1), {
    policy: opts.policy,
    lenient: opts.lenient,
    onLine: ({ line, seen, subject }) => {
      if (!role.has(line.ref)) return;
      samples.push({ ref: line.ref, seen, numeric: numericFeatures(subject), cats: categoricalValues(subject) });
    },
    onProgress: (d, t) => opts.onProgress?.('replay', d, t),
  });
  const linesOf = new Map<string, number>();
  for (const s of samples) linesOf.set(s.ref, (linesOf.get(s.ref) ?? 0) + 1);
  const weight = (s: Sample): number => 1 / (linesOf.get(s.ref) as number);
  const isBad = (s: Sample): boolean => opts.bad.get(s.ref) === true;

  // 2. Encoders: out of fold for the forests' rows, on the fit part for validation, on all for the model.
  const fold = (ref: string): number => hash32(ref, opts.seed) % FOLDS;
  const foldFitters = Array.from({ length: FOLDS }, () => new EncoderFitter());
  const fitFitter = new EncoderFitter();
  const allFitter = new EncoderFitter();
  const smoothing = opts.tuning?.smoothing ?? SMOOTHING;
  const halfLife = (opts.tuning?.halfLifeDays ?? HALF_LIFE_DAYS) * 86_400_000;
  const latest = training[training.length - 1]?.[1] ?? 0;
  const latestFit = training[valStart - 1]?.[1] ?? latest;
  const fade = (s: Sample, until: number): number => (halfLife > 0 ? 2 ** (-(until - (opened.get(s.ref) as number)) / halfLife) : 1);
  for (const s of samples) {
    const w = weight(s);
    const b = isBad(s);
    allFitter.add(s.cats, b, w * fade(s, latest));
    if (role.get(s.ref) !== 'fit') continue;
    fitFitter.add(s.cats, b, w * fade(s, latestFit));
    const f = fold(s.ref);
    for (let k = 0; k < FOLDS; k++) if (k !== f) (foldFitters[k] as EncoderFitter).add(s.cats, b, w * fade(s, latestFit));
  }
  const foldEncoders = foldFitters.map((f) => f.fit(smoothing));
  const fitEncoders = fitFitter.fit(smoothing);
  const modelEncoders = allFitter.fit(smoothing);
  const rowOf = (s: Sample, enc: Encoders): number[] => [...s.numeric, ...encodedFeatures(s.cats, enc)];
  const fitSamples = samples.filter((s) => role.get(s.ref) === 'fit');
  const valSamples = samples.filter((s) => role.get(s.ref) === 'val');
  const fitRows = fitSamples.map((s) => rowOf(s, foldEncoders[fold(s.ref)] as Encoders));
  const valRows = valSamples.map((s) => rowOf(s, fitEncoders));

  // 3. Bins on the fit rows; the baseline is each feature's median bin.
  const width = FEATURE_NAMES.length;
  const edges: number[][] = [];
  const baseline: number[] = [];
  for (let j = 0; j < width; j++) {
    const col = fitRows.map((r) => r[j] as number);
    const e = quantileEdges(col);
    edges.push(e);
    const bins = col.map((v) => binOf(e, v)).sort((a, b) => a - b);
    baseline.push(bins[Math.floor(bins.length / 2)] as number);
  }
  const binRow = (r: number[]): number[] => r.map((v, j) => binOf(edges[j] as number[], v));
  const fitBinned = fitRows.map(binRow);

  // 4. Forests, each on its own draw of lines per ticket, rows sorted by label (stable).
  const byTicket = new Map<string, number[]>();
  fitSamples.forEach((s, i) => {
    const list = byTicket.get(s.ref);
    if (list) list.push(i);
    else byTicket.set(s.ref, [i]);
  });
  const forests: RandomForestRegression[] = [];
  let rows = 0;
  for (let k = 0; k < FORESTS; k++) {
    const random = rng(opts.seed * 7919 + k);
    const chosen: number[] = [];
    for (const list of byTicket.values()) {
      // The opening line always (scores at opening matter most and have the least to go on), then a draw of the others.
      chosen.push(list[0] as number);
      const pool = list.slice(1);
      for (let t = 1; t < LINES_PER_TICKET && pool.length > 0; t++) {
        const at = Math.floor(random() * pool.length);
        chosen.push(pool[at] as number);
        pool.splice(at, 1);
      }
    }
    const good = chosen.filter((i) => !isBad(fitSamples[i] as Sample));
    const badRows = chosen.filter((i) => isBad(fitSamples[i] as Sample));
    const ordered = [...good, ...badRows];
    rows += ordered.length;
    const forest = new RandomForestRegression({
      nEstimators: TREES_PER_FOREST,
      maxFeatures: 0.4,
      replacement: false,
      useSampleBagging: false,
      noOOB: true,
      seed: (opts.seed + k * 104729) | 0,
      treeOptions: { maxDepth: 8, minNumSamples: 25 },
    });
    forest.train(
      ordered.map((i) => fitBinned[i] as number[]),
      ordered.map((i) => (isBad(fitSamples[i] as Sample) ? 1 : 0)),
    );
    forests.push(forest);
    opts.onProgress?.('forests', k + 1, FORESTS);
  }

  // 5. Calibration and validation on the latest training tickets.
  const valRaw = rawScores(forests, valRows.map(binRow));
  const valBad = valSamples.map(isBad);
  const calibration = isotonic(valRaw, valBad, valSamples.map(weight));
  const valRisk = valRaw.map((r) => calibrate(calibration, r));
  const auc = rocAuc(valRisk, valBad) ?? 0.5;
  const openIdx = valSamples.map((s, i) => (s.seen === 1 ? i : -1)).filter((i) => i >= 0);
  const aucAtOpening = rocAuc(
    openIdx.map((i) => valRisk[i] as number),
    openIdx.map((i) => valBad[i] as boolean),
  );
  const valTickets = training.length - valStart;

  const lastOpening = training[training.length - 1]?.[1] ?? 0;
  const meta: RiskModelMeta = {
    id: '',
    target: opts.target,
    trainedAt: opts.trainedAt.toISOString(),
    trainedThrough: new Date(lastOpening).toISOString(),
    tickets: training.length,
    validation: { auc: Math.round(auc * 1e4) / 1e4, tickets: valTickets },
  };
  const file: RiskModelFile = {
    kind: MODEL_KIND,
    version: MODEL_VERSION,
    meta,
    features: [...FEATURE_NAMES],
    edges,
    baseline,
    encoders: modelEncoders,
    forests: forests.map((f) => f.toJSON()),
    calibration,
  };
  // The id names the content: a hash of everything but the id and the training moment.
  const body = JSON.stringify({ ...file, meta: { ...meta, trainedAt: null } });
  meta.id = `sha256:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
  const json = JSON.stringify(file);
  return {
    file,
    json,
    validation: { auc, aucAtOpening, tickets: valTickets, lines: valSamples.length },
    trainTickets: training.length,
    rows,
  };
}
