/**
 * Rule-condition evaluation: our compiled conditions vs json-rules-engine over the same
 * conditions and the same facts.
 *
 *   npx tsx bench/rules.bench.ts
 *
 * The conditions are every `if`/`when` of the reference policy plus a handful more, parsed by
 * parsePolicy; the json-rules-engine rules are generated from the same normalised conditions
 * (one rule per condition, one engine holding all of them), so both sides decide exactly the
 * same thing, and the run checks that both count the same matches.
 *
 * Fairness for json-rules-engine: it gets its fastest setup we found — a plain property path
 * resolver instead of JSONPath, regular expressions built once and cached by its custom
 * operator, no event-parameter replacement — and it is measured both awaiting each fact in
 * turn and with many `run` calls in flight at once (Promise.all over batches); the faster of
 * the two is its figure.
 */
import { readFileSync } from 'node:fs';
import { Engine, type NestedCondition, type TopLevelCondition } from 'json-rules-engine';
import { compileCondition } from '../src/domain/policy/condition.ts';
import { parsePolicy } from '../src/domain/policy/parse.ts';
import type { ConditionNode, Facts, RegexValue } from '../src/domain/policy/types.ts';

const REFERENCE = new URL('../examples/escalon.policy.yaml', import.meta.url);
const FACTS = 2_000;
const ROUND_MS = 1_500;

// The reference policy and a handful more rules exercising the other fields and operators.
const EXTRA = `
  - id: churn-angry
    on: comment.added
    if: { all: [ { risk.churn: true }, { sentiment: { lt: -0.5 } } ] }
    do: [ { add_note: churn } ]
  - id: big-contract
    on: ticket.created
    if: { all: [ { organization.contract_value: { gte: 100000 } }, { priority: { in: [high, urgent] } }, { not: { status: { in: [solved, closed] } } } ] }
    do: [ { add_note: big } ]
  - id: vip-or-repeat
    on: ticket.updated
    if: { any: [ { tags: vip }, { escalations: { gte: 2 } }, { reopens: { gt: 1 } } ] }
    do: [ { add_note: vip } ]
  - id: security-words
    on: ticket.created
    if: { any: [ { risk.security: true }, { text: { matches: "(?i)\\\\b(breach|vulnerab\\\\w*|phishing|exploit)\\\\b" } }, { tags: { in: [security, incident] } } ] }
    do: [ { add_note: sec } ]
  - id: stuck-high
    on: sla.warning
    if: { all: [ { sla.percent_elapsed: { gte: 90 } }, { level: L1 }, { channel: { ne: chat } } ] }
    do: [ { add_note: stuck } ]
`;

function loadConditions(): Array<{ id: string; node: ConditionNode }> {
  const source = readFileSync(REFERENCE, 'utf8').replace(/\ntemplates:/, `${EXTRA}\ntemplates:`);
  const parsed = parsePolicy(source);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`).join('\n'));
  const out: Array<{ id: string; node: ConditionNode }> = [];
  for (const s of parsed.policy.sla) if (s.when) out.push({ id: `sla:${s.id}`, node: s.when });
  for (const r of parsed.policy.rules) if (r.if) out.push({ id: r.id, node: r.if });
  return out;
}

// Deterministic facts (a small LCG), a realistic mix so that conditions both match and miss.
function makeFacts(n: number): Facts[] {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const texts = [
    'Our invoice shows we were charged twice this month',
    'The dashboard is slow since the last update',
    'If this is not fixed we will cancel our subscription with you',
    'Our lawyer says this violates GDPR',
    'Please reset my password',
    'We found a vulnerability in your login page',
    'We are switching to another provider unless the contract terms change',
    'Export to CSV fails with an error 500 on large reports',
  ];
  return Array.from({ length: n }, (_, i) => ({
    priority: pick(['low', 'normal', 'high', 'urgent'] as const),
    status: pick(['new', 'open', 'pending', 'on_hold', 'solved'] as const),
    channel: pick(['email', 'web', 'chat', 'api']),
    category: pick([null, 'billing', 'technical', 'account']),
    tags: pick([[], ['vip'], ['legal'], ['security', 'api'], ['vip', 'renewal']]),
    text: `${pick(texts)} (ticket ${i})`,
    level: pick(['L1', 'L2', 'L3']),
    team: pick(['frontline', 'specialists', 'engineering']),
    organization: { id: `org-${i % 50}`, tier: pick(['standard', 'premium', 'enterprise']), contract_value: pick([null, 5_000, 50_000, 250_000]) },
    sla: { metric: pick([null, 'first_response', 'resolution'] as const), percent_elapsed: pick([null, 40, 80, 95]) },
    reassignments: Math.floor(rnd() * 6),
    team_moves: Math.floor(rnd() * 4),
    bounces: Math.floor(rnd() * 2),
    reopens: Math.floor(rnd() * 3),
    escalations: Math.floor(rnd() * 3),
    risk: { legal: rnd() < 0.1, churn: rnd() < 0.2, billing: rnd() < 0.2, security: rnd() < 0.05, frustration: rnd() < 0.3 },
    sentiment: Math.round((rnd() * 2 - 1) * 100) / 100,
  }));
}

// ---- json-rules-engine: the same normalised conditions, translated -------------------------

const LIST_FIELDS = new Set(['tags']);

function toJre(node: ConditionNode): NestedCondition {
  if ('all' in node) return { all: node.all.map(toJre) };
  if ('any' in node) return { any: node.any.map(toJre) };
  if ('not' in node) return { not: toJre(node.not) };
  const [fact, ...rest] = node.field.split('.') as [string, ...string[]];
  const base = rest.length > 0 ? { fact, path: rest.join('.') } : { fact };
  const list = LIST_FIELDS.has(node.field);
  switch (node.op) {
    case 'eq':
      return { ...base, operator: list ? 'contains' : 'equal', value: node.value };
    case 'ne':
      return { ...base, operator: list ? 'doesNotContain' : 'notEqual', value: node.value };
    case 'in':
      return { ...base, operator: list ? 'containsAny' : 'in', value: node.value };
    case 'includes':
      return { ...base, operator: 'contains', value: node.value };
    case 'matches': {
      const re = node.value as RegexValue;
      return { ...base, operator: list ? 'anyMatches' : 'matches', value: `${re.flags}/${re.source}` };
    }
    case 'gt':
      return { ...base, operator: 'greaterThan', value: node.value };
    case 'gte':
      return { ...base, operator: 'greaterThanInclusive', value: node.value };
    case 'lt':
      return { ...base, operator: 'lessThan', value: node.value };
    case 'lte':
      return { ...base, operator: 'lessThanInclusive', value: node.value };
  }
}

function topLevel(c: NestedCondition): TopLevelCondition {
  return 'all' in c || 'any' in c || 'not' in c ? (c as TopLevelCondition) : { all: [c] };
}

function buildEngine(conditions: Array<{ id: string; node: ConditionNode }>): Engine {
  const engine = new Engine([], {
    allowUndefinedFacts: true,
    replaceFactsInEventParams: false,
    // A plain property lookup instead of the default JSONPath: the fastest resolver it accepts.
    pathResolver: (value, path) => (value as Record<string, unknown>)[path],
  });
  const cache = new Map<string, RegExp>();
  const regex = (spec: string): RegExp => {
    let re = cache.get(spec);
    if (!re) {
      const slash = spec.indexOf('/');
      re = new RegExp(spec.slice(slash + 1), spec.slice(0, slash));
      cache.set(spec, re);
    }
    return re;
  };
  engine.addOperator<string | null, string>('matches', (a, b) => typeof a === 'string' && regex(b).test(a));
  engine.addOperator<unknown, string>('anyMatches', (a, b) => Array.isArray(a) && a.some((x) => typeof x === 'string' && regex(b).test(x)));
  engine.addOperator<unknown, unknown[]>('containsAny', (a, b) => Array.isArray(a) && a.some((x) => b.includes(x)));
  for (const { id, node } of conditions) {
    engine.addRule({ name: id, conditions: topLevel(toJre(node)), event: { type: id } });
  }
  return engine;
}

// ---- measuring ------------------------------------------------------------------------------

/** Best rate of three rounds of at least ROUND_MS each; `pass` evaluates every fact once and returns the matches. */
async function measure(pass: () => number | Promise<number>, evaluationsPerPass: number): Promise<{ rate: number; matches: number }> {
  let matches = await pass(); // warm-up (and the match count to compare)
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let passes = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      matches = await pass();
      passes++;
      elapsed = performance.now() - start;
    } while (elapsed < ROUND_MS);
    best = Math.max(best, (passes * evaluationsPerPass) / (elapsed / 1000));
  }
  return { rate: best, matches };
}

async function main(): Promise<void> {
  const conditions = loadConditions();
  const facts = makeFacts(FACTS);
  const evaluations = conditions.length * facts.length;

  const compiled = conditions.map((c) => compileCondition(c.node));
  const ours = await measure(() => {
    let n = 0;
    for (const f of facts) for (const c of compiled) if (c.test(f)) n++;
    return n;
  }, evaluations);

  const engine = buildEngine(conditions);
  const jreSequential = await measure(async () => {
    let n = 0;
    for (const f of facts) n += (await engine.run(f as unknown as Record<string, unknown>)).events.length;
    return n;
  }, evaluations);
  const BATCH = 200;
  const jreBatched = await measure(async () => {
    let n = 0;
    for (let i = 0; i < facts.length; i += BATCH) {
      const results = await Promise.all(facts.slice(i, i + BATCH).map((f) => engine.run(f as unknown as Record<string, unknown>)));
      for (const r of results) n += r.events.length;
    }
    return n;
  }, evaluations);

  if (ours.matches !== jreSequential.matches || ours.matches !== jreBatched.matches) {
    throw new Error(`the two sides disagree: ours ${ours.matches} matches, json-rules-engine ${jreSequential.matches}/${jreBatched.matches}`);
  }
  const jre = Math.max(jreSequential.rate, jreBatched.rate);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`rule conditions: ${conditions.length} (reference policy + ${(EXTRA.match(/- id:/g) ?? []).length} more), facts: ${facts.length}, matches per pass: ${ours.matches}`);
  console.log(`node ${process.version}`);
  console.log('');
  console.log('| evaluator | condition evaluations/s |');
  console.log('|---|---:|');
  console.log(`| Escalon compiled conditions | ${fmt(ours.rate)} |`);
  console.log(`| json-rules-engine 7, awaiting each fact | ${fmt(jreSequential.rate)} |`);
  console.log(`| json-rules-engine 7, ${BATCH} runs in flight | ${fmt(jreBatched.rate)} |`);
  console.log('');
  console.log(`ratio (ours / json-rules-engine's best): ${(ours.rate / jre).toFixed(0)}×`);
}

await main();
