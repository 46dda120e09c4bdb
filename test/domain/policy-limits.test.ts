/** The parsing limits of src/domain/policy/limits.ts: each one refuses, and real policies fit well within them. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkPolicyText, checkPolicyValueDepth, POLICY_LIMITS } from '../../src/domain/policy/limits.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';

const REFERENCE = readFileSync(new URL('../../policies/reference.policy.yaml', import.meta.url), 'utf8');

function limitOf(source: string, format: 'yaml' | 'json' = 'yaml'): string | undefined {
  const r = parsePolicy(source, { format });
  return r.ok ? undefined : r.tooComplex?.limit;
}

describe('policy parsing limits', () => {
  it('the reference policy fits, as YAML and as pretty-printed JSON', () => {
    expect(parsePolicy(REFERENCE).ok).toBe(true);
    const json = JSON.stringify(parseYaml(REFERENCE), null, 2);
    expect(parsePolicy(json, { format: 'json' }).ok).toBe(true);
    // Room to grow: ten copies of the reference's YAML, or six of its pretty-printed JSON, pass the text checks.
    expect(checkPolicyText(Array(10).fill(REFERENCE).join('\n'))).toBeNull();
    expect(checkPolicyText(Array(6).fill(json).join('\n'))).toBeNull();
  });

  it.each([
    ['document_chars', `version: 1\nnote: "${'x'.repeat(POLICY_LIMITS.documentChars)}"\n`],
    ['items', Array.from({ length: POLICY_LIMITS.items + 1 }, (_, i) => `k${i}: 1`).join('\n')],
    [
      'items',
      `[${Array(POLICY_LIMITS.items + 1)
        .fill('1')
        .join(',')}]`,
    ],
    ['depth', `x: ${'['.repeat(POLICY_LIMITS.depth + 1)}${']'.repeat(POLICY_LIMITS.depth + 1)}`],
    [
      'depth',
      Array.from({ length: POLICY_LIMITS.depth + 2 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1',
    ],
    [
      'aliases',
      `a: &a 1\nb: [${Array(POLICY_LIMITS.aliases + 1)
        .fill('*a')
        .join(', ')}]`,
    ],
    [
      'nodes',
      `a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [${Array(40).fill('*a').join(', ')}]\nc: [${Array(40).fill('*b').join(', ')}]`,
    ],
    ['keys_per_map', Array.from({ length: POLICY_LIMITS.keysPerMap + 1 }, (_, i) => `k${i}: 1`).join('\n')],
  ])('%s: a document past it is refused with that limit', (limit, source) => {
    expect(limitOf(source)).toBe(limit);
    const r = parsePolicy(source);
    if (!r.ok) {
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]?.message).toMatch(/^the policy document is too complex: .*; \w/);
    }
  });

  it('one below each count limit is not refused for it', () => {
    expect(limitOf(`a: &a 1\nb: [${Array(POLICY_LIMITS.aliases).fill('*a').join(', ')}]`)).toBeUndefined();
    expect(
      limitOf(Array.from({ length: POLICY_LIMITS.keysPerMap }, (_, i) => `k${i}: 1`).join('\n')),
    ).toBeUndefined();
    expect(
      limitOf(`x: ${'['.repeat(POLICY_LIMITS.depth - 1)}${']'.repeat(POLICY_LIMITS.depth - 1)}`),
    ).toBeUndefined();
  });

  it('a parsed JSON value nested too deeply is found without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(checkPolicyValueDepth(deep)?.limit).toBe('depth');
    expect(checkPolicyValueDepth(parseYaml(REFERENCE))).toBeNull();
  });

  it('duplicate keys are each reported with their line', () => {
    const r = parsePolicy('version: 1\nlevels: []\nteams: {}\nlevels: []\nteams: {}\n');
    expect(r.ok ? [] : r.problems.map((p) => [p.line, p.path])).toEqual([
      [4, 'levels'],
      [5, 'teams'],
    ]);
  });
});
