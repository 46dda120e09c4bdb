/**
 * The customer's cues for staff (the contract (docs/contract.md) §1 "risk flags, sentiment"): the sentiment of each
 * customer message in order, its trend, and every risk flag with the words or signals that set
 * it and the message that did. Each message is read by the same triage the engine runs at
 * intake and on each customer comment, so what staff see is what the rules saw. Pure.
 */
import { RISK_FLAGS, triage, type RiskFlag } from './triage.ts';

export interface CustomerMessage {
  at: number;
  /** `ticket`: the subject and body at creation; `comment`: a customer comment. */
  source: 'ticket' | 'comment';
  text: string;
}

export interface CustomerCues {
  sentiment: Array<{ at: number; source: CustomerMessage['source']; value: number }>;
  /** First and latest sentiment compared; null with fewer than two messages. */
  trend: { direction: 'improving' | 'worsening' | 'steady'; first: number; latest: number; change: number } | null;
  flags: Array<{ flag: RiskFlag; words: string[]; at: number; source: CustomerMessage['source'] }>;
}

/** A change in sentiment smaller than this is "steady" (AFINN scores move a little with every word). */
export const TREND_STEP = 0.15;

export function customerCues(messages: readonly CustomerMessage[]): CustomerCues {
  const ordered = [...messages].sort((a, b) => a.at - b.at);
  const sentiment: CustomerCues['sentiment'] = [];
  const flags: CustomerCues['flags'] = [];
  for (const m of ordered) {
    const t = triage(m.text);
    sentiment.push({ at: m.at, source: m.source, value: t.sentiment });
    for (const flag of RISK_FLAGS) {
      const words = t.signals[flag] ?? [];
      if (words.length > 0) flags.push({ flag, words, at: m.at, source: m.source });
    }
  }
  const first = sentiment[0];
  const latest = sentiment.at(-1);
  let trend: CustomerCues['trend'] = null;
  if (first && latest && sentiment.length >= 2) {
    const change = Math.round((latest.value - first.value) * 1000) / 1000;
    const direction = change >= TREND_STEP ? 'improving' : change <= -TREND_STEP ? 'worsening' : 'steady';
    trend = { direction, first: first.value, latest: latest.value, change };
  }
  return { sentiment, trend, flags };
}
