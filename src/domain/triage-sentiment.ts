/**
 * Sentiment of a customer's text, from −1 (angry) to 1 (happy).
 *
 * The model is AFINN-165 (3,382 English words and emoji, each rated −5…5) with its negation
 * rule ("not good" counts as bad), as shipped inside the `sentiment` npm package: a JSON word list
 * and pure code, loaded with the module, nothing read or fetched at run time.
 *
 * AFINN gives an unbounded sum; we squash it into (−1, 1) with the normalisation VADER uses,
 * `s / √(s² + 15)`: one mildly negative word (−2) gives −0.46, an angry sentence (−6) −0.84,
 * and long texts saturate instead of growing without end.
 */
import Sentiment from 'sentiment';

const analyzer = new Sentiment();
const ALPHA = 15;

export interface SentimentResult {
  /** In [−1, 1], rounded to 3 decimals. */
  score: number;
  /** The raw AFINN sum. */
  raw: number;
  /** The words that pulled the score down, in text order, deduplicated. */
  negativeWords: string[];
}

export function scoreSentiment(text: string): SentimentResult {
  const result = analyzer.analyze(text);
  const raw = result.score;
  const normalised = raw === 0 ? 0 : raw / Math.sqrt(raw * raw + ALPHA);
  // The package walks tokens from the end; restore text order for explanations.
  const negativeWords = [...new Set([...result.negative].reverse())];
  return { score: Math.round(normalised * 1000) / 1000, raw, negativeWords };
}
