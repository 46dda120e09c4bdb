// matchesOf finds matches with exec on the regex itself instead of matchAll's copy: the same
// matches, in the same order, for every regex and text — empty matches and surrogate pairs
// included — and the regex's lastIndex as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DETECTORS, matchesOf } from '../../src/domain/triage-detectors.ts';

function reference(re: RegExp, text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(re)) found.add(m[0].toLowerCase().replace(/\s+/g, ' '));
  return [...found];
}

const REGEXES = [...DETECTORS.map(([, re]) => re), /[!?]*!{3,}[!?]*|(?:\?!|!\?){2,}[!?]*/g, /x*/g, /x*/gu, /\p{L}*/gu, /(?:)/g, /a|/gi, /b/gy];
const TEXT = fc.string({ unit: fc.constantFrom('a', 'x', 'b', ' ', '!', '?', 'A', '\n', '😀', '\ud83d', '\ude00', 'é', 'lawyer ', 'refund ', 'HACKED ', 'cancel our contract ') });

describe('triage matchesOf', () => {
  it('gives what matchAll gives, and leaves lastIndex alone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REGEXES), TEXT, fc.nat(5), (re, text, last) => {
        re.lastIndex = last;
        const expected = reference(re, text);
        expect(re.lastIndex).toBe(last);
        expect(matchesOf(re, text)).toEqual(expected);
        expect(re.lastIndex).toBe(last);
        re.lastIndex = 0;
      }),
      { numRuns: 3000 },
    );
  });

  it('throws on a regex without the g flag, as matchAll does', () => {
    expect(() => matchesOf(/a/, 'a')).toThrow(TypeError);
  });
});
