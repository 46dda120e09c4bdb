/**
 * The one percentile definition every report uses: nearest rank. The p-th percentile of n
 * sorted values is the value at rank ceil(p·n) (1-based), so the median of an even count is
 * the lower middle value, and every figure is an observed duration, never an interpolation.
 */
export interface Distribution {
  count: number;
  median: number | null;
  p90: number | null;
}

export function percentileSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? null;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, median: percentileSorted(sorted, 0.5), p90: percentileSorted(sorted, 0.9) };
}

/** A share with its parts; `rate` is null when nothing was counted. */
export interface Ratio {
  numerator: number;
  denominator: number;
  rate: number | null;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, rate: denominator === 0 ? null : numerator / denominator };
}
