import { describe, expect, it } from 'vitest';
import {
  MetricsInputError,
  brier,
  prAuc,
  recallAtBudget,
  reliability,
  rocAuc,
} from '../../../src/domain/risk/metrics.ts';

/** ROC-AUC by definition: over every (positive, negative) pair, 1 if ordered right, ½ on a tie. */
function pairwiseAuc(scores: number[], positives: boolean[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!positives[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (positives[j]) continue;
      pairs++;
      const a = scores[i] as number;
      const b = scores[j] as number;
      sum += a > b ? 1 : a === b ? 0.5 : 0;
    }
  }
  return sum / pairs;
}

/** A small deterministic generator, so the property checks are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('risk metrics', () => {
  it('ROC-AUC: perfect, reversed, uninformative and tied orderings', () => {
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [true, true, false, false])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [true, true, false, false])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
    // one positive above one negative, tied with the other: (1 + 0.5) / 2
    expect(rocAuc([0.7, 0.7, 0.3], [true, false, false])).toBe(0.75);
    expect(rocAuc([0.2, 0.4], [true, true])).toBeNull();
  });

  it('ROC-AUC equals the pairwise definition on random data with ties', () => {
    const rnd = lcg(7);
    for (let round = 0; round < 20; round++) {
      const n = 5 + Math.floor(rnd() * 60);
      const scores = Array.from({ length: n }, () => Math.round(rnd() * 10) / 10);
      const positives = scores.map((s) => rnd() < s);
      if (!positives.includes(true) || !positives.includes(false)) continue;
      expect(rocAuc(scores, positives)).toBeCloseTo(pairwiseAuc(scores, positives), 12);
    }
  });

  it('PR-AUC is average precision; tied scores are taken together', () => {
    // ranks: P N P → precision at the positives 1/1 and 2/3
    expect(prAuc([0.9, 0.8, 0.7], [true, false, true])).toBeCloseTo((1 + 2 / 3) / 2, 12);
    // all tied: precision is the base rate
    expect(prAuc([0.5, 0.5, 0.5, 0.5], [true, false, false, false])).toBe(0.25);
    expect(prAuc([0.3], [false])).toBeNull();
  });

  it('recall at an alert budget counts positives among the riskiest share', () => {
    const scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
    const positives = [true, false, true, false, false, true, false, false, false, true];
    expect(recallAtBudget(scores, positives, 0.1)).toBe(0.25);
    expect(recallAtBudget(scores, positives, 0.3)).toBe(0.5);
    expect(recallAtBudget(scores, positives, 1)).toBe(1);
    expect(() => recallAtBudget(scores, positives, 0)).toThrow(MetricsInputError);
  });

  it('Brier score and the reliability table', () => {
    expect(brier([1, 0], [true, false])).toBe(0);
    expect(brier([0.5, 0.5], [true, false])).toBe(0.25);
    expect(brier([], [])).toBeNull();
    const table = reliability([0.05, 0.15, 0.12, 1, 0.95], [false, true, false, true, true], 10);
    expect(table).toHaveLength(10);
    expect(table[0]).toMatchObject({ from: 0, to: 0.1, n: 1, observed: 0 });
    expect(table[1]?.n).toBe(2);
    expect(table[1]?.predicted).toBeCloseTo(0.135, 12);
    expect(table[1]?.observed).toBe(0.5);
    expect(table[5]).toMatchObject({ n: 0, predicted: null, observed: null });
    expect(table[9]).toMatchObject({ n: 2, observed: 1 }); // 1.0 falls in the last bin
  });

  it('refuses scores and outcomes that do not pair up, and non-finite scores', () => {
    expect(() => rocAuc([0.1, 0.2], [true])).toThrow(/2 scores but 1 outcomes/);
    expect(() => brier([Number.NaN], [true])).toThrow(/finite/);
  });
});
