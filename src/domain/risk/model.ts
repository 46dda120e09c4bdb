/**
 * A risk model file (issue 14) and its scoring. Pure: the file is parsed JSON, scoring reads
 * only the subject.
 *
 * The learner is the mljs random forest (`ml-random-forest`): several regression forests
 * fitted on the 0/1 outcome (a forest of regression trees on a 0/1 target estimates the
 * probability directly, where the classifier's votes give only as many levels as trees), each
 * on its own sample of lines (see src/risk/train.ts). Features are binned on training
 * quantiles before the forest sees them; the average of the forests is calibrated by an
 * isotonic map fitted on a time-ordered validation slice (the latest training tickets).
 *
 * Reasons: each feature in turn is put back to its training baseline (the median bin) and
 * the ticket re-scored; the effect is the calibrated risk minus that counterfactual risk.
 * Unlike a linear model's contributions this is faithful to the trees' interactions, it needs
 * one batch prediction (features + 1 rows), and it reads as "this ticket is riskier than a
 * typical one because …". The largest |effect| come first; the list is never empty.
 */
import { RandomForestRegression } from 'ml-random-forest';
import type { RiskModel, RiskModelMeta, RiskReason, RiskScore, RiskSubject, RiskTarget } from './api.ts';
import { riskBand } from './api.ts';
import { CATEGORICALS, type Encoders, FEATURE_NAMES, features } from './features.ts';

export const MODEL_KIND = 'escalon-risk-model';
export const MODEL_VERSION = 1;
export const MAX_REASONS = 5;

export interface Calibration {
  /** Increasing raw scores and the calibrated probability at each; linear in between, flat outside. */
  x: number[];
  y: number[];
}

/** The model file. */
export interface RiskModelFile {
  kind: typeof MODEL_KIND;
  version: typeof MODEL_VERSION;
  meta: RiskModelMeta;
  features: string[];
  /** Per feature, increasing cut points: bin = how many cut points are ≤ the value. */
  edges: number[][];
  /** Per feature, the training median bin (the counterfactual for reasons). */
  baseline: number[];
  encoders: Encoders;
  forests: unknown[];
  calibration: Calibration;
}

export class RiskModelError extends Error {}

function bad(what: string): never {
  throw new RiskModelError(
    `not an Escalon risk model: ${what}. Train one with \`escalon risk train --workload W.jsonl --labels L.json --out MODEL.json\``,
  );
}

function isNumArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Checks a parsed model file and returns the model; a bad or foreign file is refused with what is wrong. */
export interface LoadedRiskModel extends RiskModel {
  readonly file: RiskModelFile;
  /** The risk alone, without reasons (a fraction of the cost of `score`). */
  risk(subject: RiskSubject): number;
}

export function loadRiskModel(json: unknown): LoadedRiskModel {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('the file is not a JSON object');
  const f = json as Partial<RiskModelFile>;
  if (f.kind !== MODEL_KIND) bad(`its "kind" is ${JSON.stringify(f.kind ?? null)}, expected "${MODEL_KIND}"`);
  if (f.version !== MODEL_VERSION) {
    throw new RiskModelError(
      `risk model version ${JSON.stringify(f.version ?? null)} is not supported (this Escalon reads version ${MODEL_VERSION}); retrain it with \`escalon risk train\``,
    );
  }
  const meta = f.meta;
  if (!meta || typeof meta.id !== 'string' || (meta.target !== 'breach' && meta.target !== 'escalation')) bad('"meta" is missing or incomplete');
  if (typeof meta.trainedThrough !== 'string' || !Number.isFinite(Date.parse(meta.trainedThrough))) bad('"meta.trainedThrough" is not an instant');
  const names = f.features;
  if (!Array.isArray(names) || names.length !== FEATURE_NAMES.length || names.some((n, i) => n !== FEATURE_NAMES[i])) {
    throw new RiskModelError(
      'the model was trained on other features than this Escalon computes; retrain it with `escalon risk train` of this version',
    );
  }
  if (!Array.isArray(f.edges) || f.edges.length !== names.length || !f.edges.every(isNumArray)) bad('"edges" is malformed');
  if (!isNumArray(f.baseline) || f.baseline.length !== names.length) bad('"baseline" is malformed');
  if (!f.encoders || CATEGORICALS.some((c) => typeof f.encoders?.[c]?.prior !== 'number' || typeof f.encoders[c].values !== 'object')) {
    bad('"encoders" is malformed');
  }
  const cal = f.calibration;
  if (!cal || !isNumArray(cal.x) || !isNumArray(cal.y) || cal.x.length !== cal.y.length || cal.x.length === 0) bad('"calibration" is malformed');
  if (!Array.isArray(f.forests) || f.forests.length === 0) bad('"forests" is empty');
  let forests: RandomForestRegression[];
  try {
    forests = f.forests.map((m) => RandomForestRegression.load(m as Parameters<typeof RandomForestRegression.load>[0]));
  } catch (e) {
    bad(`a forest does not load (${(e as Error).message})`);
  }
  return new ForestRiskModel(f as RiskModelFile, forests);
}

export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function calibrate(cal: Calibration, raw: number): number {
  const { x, y } = cal;
  const n = x.length;
  if (raw <= (x[0] as number)) return y[0] as number;
  if (raw >= (x[n - 1] as number)) return y[n - 1] as number;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((x[mid] as number) <= raw) lo = mid;
    else hi = mid;
  }
  const x0 = x[lo] as number;
  const x1 = x[hi] as number;
  const y0 = y[lo] as number;
  const y1 = y[hi] as number;
  return x1 === x0 ? y1 : y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0);
}

/** The forests' average raw score for binned rows. */
export function rawScores(forests: readonly RandomForestRegression[], rows: number[][]): number[] {
  const out = new Array<number>(rows.length).fill(0);
  for (const forest of forests) {
    const p = forest.predict(rows);
    for (let i = 0; i < rows.length; i++) out[i] = (out[i] as number) + (p[i] as number) / forests.length;
  }
  return out;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

interface TreeNodeJson {
  splitColumn?: number;
  left?: TreeNodeJson;
  right?: TreeNodeJson;
}

/** The features some tree splits on: only those can move a score, so only those get a counterfactual. */
function usedFeatures(forests: readonly unknown[]): Set<number> {
  const used = new Set<number>();
  for (const f of forests) {
    const base = (f as { baseModel?: { indexes?: number[][]; estimators?: { root?: TreeNodeJson }[] } }).baseModel;
    base?.estimators?.forEach((est, i) => {
      const cols = base.indexes?.[i] ?? [];
      const stack: TreeNodeJson[] = est.root ? [est.root] : [];
      while (stack.length > 0) {
        const node = stack.pop() as TreeNodeJson;
        if (node.left && node.right && typeof node.splitColumn === 'number') {
          const col = cols[node.splitColumn];
          if (col !== undefined) used.add(col);
          stack.push(node.left, node.right);
        }
      }
    });
  }
  return used;
}

class ForestRiskModel implements LoadedRiskModel {
  readonly meta: RiskModelMeta;
  private readonly used: Set<number>;
  constructor(
    readonly file: RiskModelFile,
    private readonly forests: RandomForestRegression[],
  ) {
    this.meta = file.meta;
    this.used = usedFeatures(file.forests);
  }

  get target(): RiskTarget {
    return this.meta.target;
  }

  /** The risk without reasons (evaluation; a fraction of the cost of `score`). */
  risk(subject: RiskSubject): number {
    const row = features(subject, this.file.encoders);
    const binned = row.values.map((v, i) => binOf(this.file.edges[i] as number[], v));
    return round3(calibrate(this.file.calibration, rawScores(this.forests, [binned])[0] as number));
  }

  score(subject: RiskSubject): RiskScore {
    const row = features(subject, this.file.encoders);
    const binned = row.values.map((v, i) => binOf(this.file.edges[i] as number[], v));
    // Row 0: the ticket; row 1 + i: the ticket with feature i at its training baseline.
    const rows: number[][] = [binned];
    const changed: number[] = [];
    for (let i = 0; i < binned.length; i++) {
      const base = this.file.baseline[i] as number;
      if (binned[i] === base || !this.used.has(i)) continue;
      const r = binned.slice();
      r[i] = base;
      rows.push(r);
      changed.push(i);
    }
    const raw = rawScores(this.forests, rows);
    const risk = calibrate(this.file.calibration, raw[0] as number);
    const reasons: RiskReason[] = changed.map((featureIndex, k) => ({
      feature: row.describe(featureIndex),
      effect: round3(risk - calibrate(this.file.calibration, raw[k + 1] as number)),
      // Tie-break on the raw forest change so that ordering is stable where calibration is flat.
      order: Math.abs((raw[0] as number) - (raw[k + 1] as number)),
      featureIndex,
    })).sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || b.order - a.order || a.featureIndex - b.featureIndex)
      .slice(0, MAX_REASONS)
      .map(({ feature, effect }) => ({ feature, effect }));
    if (reasons.length === 0) {
      // Every feature at its baseline: the ticket is the typical one; say what drives the estimate.
      reasons.push({ feature: row.describe(0), effect: 0 });
    }
    const rounded = round3(risk);
    return { risk: rounded, band: riskBand(rounded), reasons };
  }
}
