/**
 * Triage throughput: our `triage()` (five precompiled detectors + shouting + AFINN sentiment)
 * against, in the same run, (a) the `sentiment` package's analysis alone — the floor our
 * sentiment step costs — and (b) the same phrases (about 100) as one precompiled regex each,
 * scanned in turn, plus the same sentiment: what compiling each flag into one regex saves.
 *
 *   npx tsx bench/triage.bench.ts
 */
import Sentiment from 'sentiment';
import { PHRASES, RISK_FLAGS, matchesOf } from '../src/domain/triage-detectors.ts';
import { triage } from '../src/domain/triage.ts';

const TEXTS = [
  'Hello, the export button on the reports page does nothing since this morning. Can you check?',
  'This is the THIRD TIME I am writing about this. Still not fixed!!! Unacceptable.',
  'We were charged twice for March and want a refund, otherwise we cancel our subscription.',
  'Our admin account was hacked and the API keys leaked. Please rotate them and call me.',
  'Our lawyer says this violates the GDPR. Please delete my personal data within 30 days.',
  'Thanks a lot, the fix works perfectly and the team was great. Have a nice weekend!',
  'Could you send the invoice for February to accounting@example.com? Many thanks.',
  'I cancelled the meeting on Friday; can we talk next week about the SSO setup?',
];
// ~500 characters: a typical ticket body is a few sentences.
const INPUTS = TEXTS.map(
  (t, i) => `${t} ${TEXTS[(i + 3) % TEXTS.length]} ${TEXTS[(i + 5) % TEXTS.length]} ${t}`,
);

const analyzer = new Sentiment();

/** The same phrases, one precompiled regex each, scanned in turn: what combining them saves. */
const SEPARATE = RISK_FLAGS.map(
  (flag) =>
    [
      flag,
      PHRASES[flag].map((p) => new RegExp(String.raw`\b(?:${p.replaceAll(' ', String.raw`\s+`)})\b`, 'gi')),
    ] as const,
);
function separate(text: string): number {
  let hits = 0;
  for (const [, regexes] of SEPARATE) for (const re of regexes) hits += matchesOf(re, text).length;
  return hits + analyzer.analyze(text).score;
}

function measure(name: string, fn: (text: string) => unknown): number {
  const rounds = 4000;
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += fn(INPUTS[i % INPUTS.length] ?? '') ? 1 : 0; // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds * INPUTS.length; i++) sink += fn(INPUTS[i % INPUTS.length] ?? '') ? 1 : 0;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = (rounds * INPUTS.length) / seconds;
  console.log(
    `${name.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} texts/s  (${((1e6 * seconds) / (rounds * INPUTS.length)).toFixed(1)} µs/text)${sink < 0 ? '!' : ''}`,
  );
  return perSecond;
}

const avg = Math.round(INPUTS.reduce((n, t) => n + t.length, 0) / INPUTS.length);
console.log(`${INPUTS.length} texts of ~${avg} characters, ${process.version}`);
const ours = measure('triage() (5 flags + shouting + sentiment)', triage);
const sentimentOnly = measure('baseline: sentiment package analyze() only', (t) => analyzer.analyze(t));
const separateRate = measure('baseline: same phrases, one regex each', separate);
console.log(
  `ours / sentiment alone: ${(ours / sentimentOnly).toFixed(2)}×   ours / one-regex-per-phrase: ${(ours / separateRate).toFixed(2)}×`,
);
