/**
 * Quality of a risk model's scores (issue 14): discrimination (ROC-AUC, PR-AUC as average
 * precision), alerting (recall at an alert budget) and calibration (Brier score, reliability
 * table). Pure. Throughout, `positives[i]` is true when ticket i had the bad outcome the model
 * predicts (breached its SLA, or was escalated) and `scores[i]` is the predicted probability.
 */

export class MetricsInputError extends Error {}

function check(scores: readonly number[], positives: readonly boolean[]): void {
  if (scores.length !== positives.length) {
    throw new MetricsInputError(`${scores.length} scores but ${positives.length} outcomes: they must pair up`);
  }
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) throw new MetricsInputError(`score ${i} is ${s}: scores must be finite numbers`);
  }
}

function counts(positives: readonly boolean[]): { pos: number; neg: number } {
  let pos = 0;
  for (const p of positives) if (p) pos++;
  return { pos, neg: positives.length - pos };
}

/** Indices ordered by score, highest first (ties keep input order: the sort is stable). */
function byScoreDesc(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
}

/**
 * ROC-AUC: the probability that a random positive scores above a random negative, ties
 * counting one half (Mann–Whitney U with mid-ranks). `null` when either class is absent.
 */
export function rocAuc(scores: readonly number[], positives: readonly boolean[]): number | null {
  check(scores, positives);
  const { pos, neg } = counts(positives);
  if (pos === 0 || neg === 0) return null;
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positives[order[k] as number]) rankSum += midRank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * PR-AUC as average precision: the mean, over positives, of the precision at the threshold
 * that first includes them (tied scores are taken together). `null` without positives.
 */
export function prAuc(scores: readonly number[], positives: readonly boolean[]): number | null {
  check(scores, positives);
  const { pos } = counts(positives);
  if (pos === 0) return null;
  const order = byScoreDesc(scores);
  let tp = 0;
  let seen = 0;
  let sum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    let groupPos = 0;
    for (let k = i; k <= j; k++) if (positives[order[k] as number]) groupPos++;
    tp += groupPos;
    seen += j - i + 1;
    sum += groupPos * (tp / seen);
    i = j + 1;
  }
  return sum / pos;
}

/**
 * Recall at an alert budget: the share of all positives among the `budget` share of tickets
 * with the highest scores (budget 0.1 = alert on the riskiest 10 %). `null` without positives.
 */
export function recallAtBudget(
  scores: readonly number[],
  positives: readonly boolean[],
  budget: number,
): number | null {
  check(scores, positives);
  if (!(budget > 0 && budget <= 1)) throw new MetricsInputError(`budget ${budget} must be in (0, 1]`);
  const { pos } = counts(positives);
  if (pos === 0) return null;
  const order = byScoreDesc(scores);
  const alerts = Math.round(budget * order.length);
  let caught = 0;
  for (let k = 0; k < alerts; k++) if (positives[order[k] as number]) caught++;
  return caught / pos;
}

/** Brier score: the mean squared difference between score and outcome (0 is perfect). `null` when empty. */
export function brier(scores: readonly number[], positives: readonly boolean[]): number | null {
  check(scores, positives);
  if (scores.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const d = (scores[i] as number) - (positives[i] ? 1 : 0);
    sum += d * d;
  }
  return sum / scores.length;
}

export interface ReliabilityBin {
  /** The bin's score range [from, to) (the last bin includes 1). */
  from: number;
  to: number;
  n: number;
  /** Mean score in the bin, and the observed share of positives; null for an empty bin. */
  predicted: number | null;
  observed: number | null;
}

/** Reliability table: `bins` equal-width score bins over [0, 1]. */
export function reliability(
  scores: readonly number[],
  positives: readonly boolean[],
  bins = 10,
): ReliabilityBin[] {
  check(scores, positives);
  if (!(Number.isInteger(bins) && bins >= 1)) throw new MetricsInputError(`bins ${bins} must be a positive integer`);
  const n = new Array<number>(bins).fill(0);
  const scoreSum = new Array<number>(bins).fill(0);
  const posSum = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const s = Math.min(1, Math.max(0, scores[i] as number));
    const b = Math.min(bins - 1, Math.floor(s * bins));
    n[b] = (n[b] as number) + 1;
    scoreSum[b] = (scoreSum[b] as number) + s;
    if (positives[i]) posSum[b] = (posSum[b] as number) + 1;
  }
  return n.map((count, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    n: count,
    predicted: count === 0 ? null : (scoreSum[b] as number) / count,
    observed: count === 0 ? null : (posSum[b] as number) / count,
  }));
}
