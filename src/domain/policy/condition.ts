/**
 * Compiling a condition once into closures: the field accessor is looked up, the regular
 * expression built and `in` lists turned into Sets at compile time, so evaluating is a few
 * function calls and comparisons, with nothing interpreted per evaluation.
 *
 * Semantics (the contract (docs/contract.md) §4): `eq` on a list field (tags) means the list holds the value, and `ne`
 * that it does not; `in` means the value is one of the list (for tags: some tag is);
 * `includes` means a list field holds the value; `matches` tests a string (for tags: some tag)
 * and is false for null; `gt`/`gte`/`lt`/`lte` are numeric and false for null.
 */
import { fieldSpec } from './condition-fields.ts';
import { compilePolicyRegex, translatePortableRegex, type RegexTest } from './portable-regex.ts';
import type { CompiledCondition, ConditionNode, ConditionOp, Facts, RegexValue } from './types.ts';

type Test = (facts: Facts) => boolean;
type Seen = { field: string; op: string; expected: unknown; actual: unknown; matched: boolean };
type Explain = (facts: Facts, saw: Seen[]) => boolean;

interface Compiled {
  test: Test;
  explain: Explain;
}

export function compileCondition(node: ConditionNode): CompiledCondition {
  const c = compileNode(node);
  return {
    test: c.test,
    explain(facts) {
      const saw: Seen[] = [];
      const matched = c.explain(facts, saw);
      return { matched, saw };
    },
  };
}

function compileNode(node: ConditionNode): Compiled {
  if ('all' in node) return compileAll(node.all.map(compileNode));
  if ('any' in node) return compileAny(node.any.map(compileNode));
  if ('not' in node) {
    const inner = compileNode(node.not);
    const t = inner.test;
    return { test: (f) => !t(f), explain: (f, saw) => !inner.explain(f, saw) };
  }
  return compileLeaf(node.field, node.op, node.value);
}

function compileAll(parts: Compiled[]): Compiled {
  const tests = parts.map((p) => p.test);
  // Explanations evaluate every leaf (no short cut) so the record shows all the values seen.
  const explain: Explain = (f, saw) => parts.map((p) => p.explain(f, saw)).every(Boolean);
  if (tests.length === 1) return { test: tests[0] as Test, explain };
  if (tests.length === 2) {
    const [a, b] = tests as [Test, Test];
    return { test: (f) => a(f) && b(f), explain };
  }
  return {
    test: (f) => {
      for (const t of tests) if (!t(f)) return false;
      return true;
    },
    explain,
  };
}

function compileAny(parts: Compiled[]): Compiled {
  const tests = parts.map((p) => p.test);
  const explain: Explain = (f, saw) => parts.map((p) => p.explain(f, saw)).some(Boolean);
  if (tests.length === 1) return { test: tests[0] as Test, explain };
  if (tests.length === 2) {
    const [a, b] = tests as [Test, Test];
    return { test: (f) => a(f) || b(f), explain };
  }
  return {
    test: (f) => {
      for (const t of tests) if (t(f)) return true;
      return false;
    },
    explain,
  };
}

function compileLeaf(field: string, op: ConditionOp, expected: unknown): Compiled {
  const spec = fieldSpec(field);
  if (!spec) throw new Error(`cannot compile condition: unknown field "${field}"`);
  const read = spec.read;
  const check = compareWith(op, expected, spec.type === 'list');
  return {
    test: (f) => check(read(f)),
    explain: (f, saw) => {
      const actual = read(f);
      const matched = check(actual);
      saw.push({ field, op, expected, actual: Array.isArray(actual) ? [...actual] : actual, matched });
      return matched;
    },
  };
}

/** A predicate over the field's value for one operator and expected value. */
function compareWith(op: ConditionOp, expected: unknown, isList: boolean): (actual: unknown) => boolean {
  switch (op) {
    case 'eq':
    case 'includes':
      return isList ? (a) => Array.isArray(a) && a.includes(expected) : (a) => a === expected;
    case 'ne':
      return isList ? (a) => !(Array.isArray(a) && a.includes(expected)) : (a) => a !== expected;
    case 'in': {
      if (!Array.isArray(expected)) throw new Error('cannot compile condition: "in" needs a list');
      const set = new Set<unknown>(expected);
      return isList ? (a) => Array.isArray(a) && a.some((x) => set.has(x)) : (a) => set.has(a);
    }
    case 'matches': {
      const test = toRegexTest(expected);
      return isList
        ? (a) => Array.isArray(a) && a.some((x) => typeof x === 'string' && test(x))
        : (a) => typeof a === 'string' && test(a);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof expected !== 'number') throw new Error(`cannot compile condition: "${op}" needs a number`);
      const n = expected;
      if (op === 'gt') return (a) => typeof a === 'number' && a > n;
      if (op === 'gte') return (a) => typeof a === 'number' && a >= n;
      if (op === 'lt') return (a) => typeof a === 'number' && a < n;
      return (a) => typeof a === 'number' && a <= n;
    }
  }
}

/** `matches` runs under RE2 (linear time, within the per-evaluation budget of portable-regex.ts). */
function toRegexTest(value: unknown): RegexTest {
  if (typeof value === 'object' && value !== null && 'source' in value && 'flags' in value) {
    const { source, flags } = value as RegexValue;
    return compilePolicyRegex({ source, flags });
  }
  if (typeof value === 'string') {
    const t = translatePortableRegex(value);
    if (!t.ok) throw new Error(`cannot compile condition: ${t.message}`);
    return compilePolicyRegex(t.value);
  }
  throw new Error('cannot compile condition: "matches" needs a regular expression');
}
