import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/domain/policy/condition.ts';
import { regexTextChars, translatePortableRegex } from '../../src/domain/policy/portable-regex.ts';
import type { ConditionNode, ConditionOp, Facts } from '../../src/domain/policy/types.ts';

function facts(over: Partial<Facts> = {}): Facts {
  return {
    priority: 'high',
    status: 'open',
    channel: 'email',
    category: null,
    tags: ['vip', 'Legal-Hold'],
    text: 'We will call our LAWYER about the invoice',
    level: 'L1',
    team: 'frontline',
    organization: { id: 'org-7', tier: 'enterprise', contract_value: 120_000 },
    sla: { metric: 'resolution', percent_elapsed: 80 },
    reassignments: 3,
    team_moves: 3,
    bounces: 2,
    reopens: 0,
    escalations: 1,
    risk: { legal: true, churn: false },
    sentiment: -0.4,
    ...over,
  };
}

const re = (portable: string) => {
  const t = translatePortableRegex(portable);
  if (!t.ok) throw new Error(t.message);
  return t.value;
};
const leaf = (field: string, op: ConditionOp, value: unknown): ConditionNode => ({ field, op, value });

describe('compiled condition leaves', () => {
  const table: Array<[string, ConditionNode, Partial<Facts>, boolean]> = [
    // eq / ne on scalars
    ['eq string hit', leaf('priority', 'eq', 'high'), {}, true],
    ['eq string miss', leaf('priority', 'eq', 'urgent'), {}, false],
    ['eq number', leaf('reassignments', 'eq', 3), {}, true],
    ['eq null on null fact', leaf('category', 'eq', null), {}, true],
    ['eq null on set fact', leaf('category', 'eq', null), { category: 'billing' }, false],
    ['eq nested field', leaf('organization.tier', 'eq', 'enterprise'), {}, true],
    ['eq risk flag true', leaf('risk.legal', 'eq', true), {}, true],
    ['eq risk flag missing reads false', leaf('risk.security', 'eq', false), {}, true],
    ['eq risk flag missing is not true', leaf('risk.security', 'eq', true), {}, false],
    ['ne string', leaf('status', 'ne', 'solved'), {}, true],
    ['ne string same', leaf('status', 'ne', 'open'), {}, false],
    // eq / ne / includes on the list field
    ['eq on tags: list holds it', leaf('tags', 'eq', 'vip'), {}, true],
    ['eq on tags: list lacks it', leaf('tags', 'eq', 'legal'), {}, false],
    ['ne on tags: list lacks it', leaf('tags', 'ne', 'legal'), {}, true],
    ['ne on tags: list holds it', leaf('tags', 'ne', 'vip'), {}, false],
    ['includes hit', leaf('tags', 'includes', 'Legal-Hold'), {}, true],
    ['includes is exact', leaf('tags', 'includes', 'legal'), {}, false],
    ['includes on empty tags', leaf('tags', 'includes', 'vip'), { tags: [] }, false],
    // in
    ['in hit', leaf('organization.tier', 'in', ['premium', 'enterprise']), {}, true],
    ['in miss', leaf('organization.tier', 'in', ['premium']), {}, false],
    ['in numbers', leaf('reopens', 'in', [0, 1]), {}, true],
    ['in on tags: some tag is listed', leaf('tags', 'in', ['x', 'vip']), {}, true],
    ['in on tags: none listed', leaf('tags', 'in', ['x', 'y']), {}, false],
    ['in null fact', leaf('sla.metric', 'in', ['resolution']), { sla: { metric: null, percent_elapsed: null } }, false],
    // matches
    ['matches (?i) is case-insensitive', leaf('text', 'matches', re('(?i)\\blawyer\\b')), {}, true],
    ['matches without (?i) is case-sensitive', leaf('text', 'matches', re('\\blawyer\\b')), {}, false],
    ['matches JS dialect (\\u escape, named group)', leaf('text', 'matches', re('\\u0069n(?<rest>voice)')), {}, true],
    ['matches: "." stops at \\r as in JavaScript', leaf('text', 'matches', re('lawyer.x')), { text: 'lawyer\rx' }, false],
    ['matches: \\s is Unicode white space as in JavaScript', leaf('text', 'matches', re('my\\slawyer')), { text: 'my\u00a0lawyer' }, true],
    ['matches null is false', leaf('category', 'matches', re('.*')), {}, false],
    ['matches on tags: some tag', leaf('tags', 'matches', re('(?i)^legal')), {}, true],
    ['matches on tags: none', leaf('tags', 'matches', re('^legal')), {}, false],
    // numeric comparisons
    ['gt true', leaf('reassignments', 'gt', 2), {}, true],
    ['gt boundary', leaf('reassignments', 'gt', 3), {}, false],
    ['gte boundary', leaf('reassignments', 'gte', 3), {}, true],
    ['lt true', leaf('sentiment', 'lt', 0), {}, true],
    ['lt boundary', leaf('escalations', 'lt', 1), {}, false],
    ['lte boundary', leaf('escalations', 'lte', 1), {}, true],
    ['gt on null is false', leaf('organization.contract_value', 'gt', 0), { organization: { id: 'o', tier: 't', contract_value: null } }, false],
    ['lt on null is false', leaf('sla.percent_elapsed', 'lt', 100), { sla: { metric: null, percent_elapsed: null } }, false],
    ['gte percent', leaf('sla.percent_elapsed', 'gte', 75), {}, true],
  ];

  it.each(table)('%s', (_name, node, over, expected) => {
    const c = compileCondition(node);
    expect(c.test(facts(over))).toBe(expected);
    expect(c.explain(facts(over)).matched).toBe(expected);
  });
});

describe('nesting', () => {
  const urgent = leaf('priority', 'eq', 'urgent');
  const high = leaf('priority', 'eq', 'high');
  const open = leaf('status', 'eq', 'open');
  const table: Array<[string, ConditionNode, boolean]> = [
    ['all true', { all: [high, open] }, true],
    ['all with a false', { all: [high, urgent] }, false],
    ['all of three', { all: [high, open, leaf('tags', 'includes', 'vip')] }, true],
    ['all of three, last false', { all: [high, open, urgent] }, false],
    ['all of one', { all: [urgent] }, false],
    ['any with a true', { any: [urgent, open] }, true],
    ['any all false', { any: [urgent, leaf('status', 'eq', 'new')] }, false],
    ['any of three, last true', { any: [urgent, urgent, high] }, true],
    ['not', { not: urgent }, true],
    ['not not', { not: { not: urgent } }, false],
    ['any of all', { any: [{ all: [urgent, open] }, { all: [high, open] }] }, true],
    ['all of any and not', { all: [{ any: [urgent, high] }, { not: leaf('risk.churn', 'eq', true) }] }, true],
    ['deep false', { all: [{ any: [urgent, { not: high }] }, open] }, false],
  ];
  it.each(table)('%s', (_name, node, expected) => {
    const c = compileCondition(node);
    expect(c.test(facts())).toBe(expected);
    expect(c.explain(facts()).matched).toBe(expected);
  });
});

describe('explain', () => {
  it('reports every leaf with the value it saw, without short-circuiting', () => {
    const c = compileCondition({
      any: [
        { field: 'text', op: 'matches', value: re('(?i)lawyer') },
        { field: 'tags', op: 'includes', value: 'legal' },
        { not: { field: 'reassignments', op: 'gt', value: 5 } },
      ],
    });
    const out = c.explain(facts());
    expect(out.matched).toBe(true);
    expect(out.saw).toEqual([
      { field: 'text', op: 'matches', expected: { source: 'lawyer', flags: 'i' }, actual: 'We will call our LAWYER about the invoice', matched: true },
      { field: 'tags', op: 'includes', expected: 'legal', actual: ['vip', 'Legal-Hold'], matched: false },
      { field: 'reassignments', op: 'gt', expected: 5, actual: 3, matched: false },
    ]);
  });

  it('snapshots list values so later changes to the facts do not rewrite the record', () => {
    const f = facts();
    const out = compileCondition({ field: 'tags', op: 'eq', value: 'vip' }).explain(f);
    f.tags.push('later');
    expect(out.saw[0]?.actual).toEqual(['vip', 'Legal-Hold']);
  });
});

describe('compiling', () => {
  it('builds the regular expression once and keeps no state between evaluations', () => {
    const c = compileCondition({ field: 'text', op: 'matches', value: { source: 'a', flags: 'gi' } });
    // A global regex would alternate true/false on repeated test() calls; ours must not.
    expect([1, 2, 3].map(() => c.test(facts({ text: 'A' })))).toEqual([true, true, true]);
  });

  it('refuses an unknown field or a malformed value at compile time', () => {
    expect(() => compileCondition({ field: 'weather', op: 'eq', value: 'rain' })).toThrow(/unknown field "weather"/);
    expect(() => compileCondition({ field: 'tags', op: 'in', value: 'vip' })).toThrow(/needs a list/);
    expect(() => compileCondition({ field: 'reopens', op: 'gt', value: '2' })).toThrow(/needs a number/);
  });
});

describe('portable regular expressions', () => {
  it('run in linear time: (a+)+$ against 10,000 a and a ! is answered at once', () => {
    const c = compileCondition({ field: 'text', op: 'matches', value: re('(a+)+$') });
    const started = performance.now();
    expect(c.test(facts({ text: `${'a'.repeat(10_000)}!` }))).toBe(false);
    // Backtracking takes longer than the age of the universe here; RE2 takes milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('look at as much of the text as the budget allows for their size', () => {
    // A small pattern sees 131,072 characters; one of ~1,500 instructions 16,384 (8,000,000 ÷ size, at least 16,384).
    expect(regexTextChars(20)).toBe(131_072);
    expect(regexTextChars(1_500)).toBe(16_384);
    const small = compileCondition({ field: 'text', op: 'matches', value: re('needle') });
    expect(small.test(facts({ text: `${'x'.repeat(130_000)}needle` }))).toBe(true);
    expect(small.test(facts({ text: `${'x'.repeat(131_072)}needle` }))).toBe(false);
    const large = compileCondition({ field: 'text', op: 'matches', value: re('needle|z{1000}q{500}') });
    expect(large.test(facts({ text: `${'x'.repeat(16_000)}needle` }))).toBe(true);
    expect(large.test(facts({ text: `${'x'.repeat(16_384)}needle` }))).toBe(false);
  });

  it.each([
    ['(?i)abc', { ok: true, value: { source: 'abc', flags: 'i' } }],
    ['abc', { ok: true, value: { source: 'abc', flags: '' } }],
    ['(?:a|b)(?<n>c)', { ok: true, value: { source: '(?:a|b)(?<n>c)', flags: '' } }],
    ['\\(?i\\)', { ok: true, value: { source: '\\(?i\\)', flags: '' } }],
    ['[(?i)]', { ok: true, value: { source: '[(?i)]', flags: '' } }],
  ])('%s translates', (input, expected) => {
    expect(translatePortableRegex(input)).toEqual(expected);
  });

  it.each([
    ['a(?i)b', /inline flag group "\(\?i\)"/],
    ['(?i)(?i)x', /inline flag group/],
    ['(?s)a.b', /inline flag group "\(\?s\)"/],
    ['(?i-m:x)', /inline flag group "\(\?i-m:"/],
    ['a(b', /invalid regular expression/],
    ['x{2,1}', /invalid regular expression/],
    // What RE2 (the linear-time engine) cannot run, or would read differently, is refused.
    ['(?=d)x', /\(lookahead\) is not supported/],
    ['x(?!e)', /\(lookahead\) is not supported/],
    ['(?<=f)x', /\(lookbehind\) is not supported/],
    ['(a)\\1', /backreference/],
    ['(?<n>a)\\k<n>', /named backreference/],
    ['\\Qa\\E', /"\\Q" is not an escape/],
    ['[^]', /class "\[\^\]" is not supported/],
    ['x'.repeat(1001), /too long/],
  ])('%s is refused', (input, message) => {
    const t = translatePortableRegex(input);
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.message).toMatch(message);
  });
});
