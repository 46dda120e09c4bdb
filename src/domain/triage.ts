/**
 * Triage at intake (the contract (docs/contract.md) §1 "risk flags, sentiment"): read a customer's text — a new
 * ticket's subject + body, or a customer comment — and set the five risk flags the rules can
 * test (`risk.legal`, `risk.churn`, `risk.billing`, `risk.security`, `risk.frustration`) and a
 * sentiment score (`sentiment`, −1 angry … 1 happy).
 *
 * Every flag is explainable: `signals[flag]` lists what set it — the matched words or phrases
 * (lower-cased), or a described signal (`shouting: "THIS IS BROKEN"`, `"!!!"`,
 * `sentiment -0.84 (hate, worst)`). A flag is true exactly when its list is non-empty.
 *
 * Frustration has, besides its phrases, three signals: shouting (a run of three or more
 * capitalised words with at least 12 letters, or a text of 12+ letters that is 70% capitals),
 * repeated exclamation marks (`!!!`, `?!?!`), and a very negative sentiment (≤ −0.7). Shouting
 * and exclamations count only when the sentiment is not positive: "THANK YOU SO MUCH!!!" is
 * delight, not anger.
 *
 * Pure and synchronous: precompiled regular expressions and the AFINN word list in memory.
 */
import { DETECTORS, RISK_FLAGS, matchesOf, type RiskFlag } from './triage-detectors.ts';
import { scoreSentiment } from './triage-sentiment.ts';

export { RISK_FLAGS, type RiskFlag } from './triage-detectors.ts';

export interface TriageResult {
  flags: Record<RiskFlag, boolean>;
  /** For each flag (all five keys present), what set it; empty when the flag is false. */
  signals: Record<string, string[]>;
  /** −1 (angry) … 1 (happy), 3 decimals. */
  sentiment: number;
}

/** A sentiment at or below this is frustration by itself. */
export const VERY_NEGATIVE = -0.7;

const CAPS_WORD = String.raw`\b[A-Z](?:[A-Z']*[A-Z])?\b`;
const CAPS_RUN = new RegExp(String.raw`${CAPS_WORD}(?:[ \t]+${CAPS_WORD}){2,}`, 'g');
const MIN_SHOUT_LETTERS = 12;
const SHOUT_RATIO = 0.7;
const EXCLAMATIONS = /[!?]*!{3,}[!?]*|(?:\?!|!\?){2,}[!?]*/g;
const LETTER = /\p{L}/gu;
const UPPER = /\p{Lu}/gu;

function shouting(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(CAPS_RUN)) {
    if (m[0].replace(/[^A-Z]/g, '').length >= MIN_SHOUT_LETTERS) found.push(`shouting: "${m[0]}"`);
  }
  if (found.length > 0) return [...new Set(found)];
  const [letters, upper] = letterCounts(text);
  if (letters >= MIN_SHOUT_LETTERS && upper / letters >= SHOUT_RATIO) return ['shouting: mostly capitals'];
  return [];
}

/** Letters and capitals in the text (\\p{L}, \\p{Lu}); counted by hand when it is all ASCII (the same counts, no arrays). */
function letterCounts(text: string): [number, number] {
  let letters = 0;
  let upper = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return [text.match(LETTER)?.length ?? 0, text.match(UPPER)?.length ?? 0];
    if (c >= 65 && c <= 90) {
      letters++;
      upper++;
    } else if (c >= 97 && c <= 122) letters++;
  }
  return [letters, upper];
}

export function triage(text: string): TriageResult {
  // Typographic apostrophes are common in mail; the phrases are written with the ASCII one.
  const normalised = text.replace(/[\u2018\u2019\u02bc]/g, "'");
  const mood = scoreSentiment(normalised);

  const signals: Record<string, string[]> = {};
  for (const [flag, re] of DETECTORS) signals[flag] = matchesOf(re, normalised);

  const frustration = signals.frustration ?? [];
  if (mood.score <= 0) {
    frustration.push(...shouting(normalised));
    frustration.push(...matchesOf(EXCLAMATIONS, normalised).map((m) => `"${m}"`));
  }
  if (mood.score <= VERY_NEGATIVE) {
    frustration.push(`sentiment ${mood.score} (${mood.negativeWords.join(', ')})`);
  }
  signals.frustration = frustration;

  const flags = {} as Record<RiskFlag, boolean>;
  for (const flag of RISK_FLAGS) flags[flag] = (signals[flag]?.length ?? 0) > 0;
  return { flags, signals, sentiment: mood.score };
}
