import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/domain/policy/json-syntax.ts';

const valid = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('findJsonSyntaxError', () => {
  it('accepts whatever JSON.stringify writes', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => findJsonSyntaxError(JSON.stringify(v, null, pretty ? 2 : 0)) === null));
  });

  it('agrees with JSON.parse on damaged documents', () => {
    const damaged = fc
      .tuple(fc.jsonValue(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\n', '\\', '[', '{', '0'))
      .map(([v, at, insert]) => {
        const s = JSON.stringify(v, null, 1);
        const i = at % (s.length + 1);
        return s.slice(0, i) + insert + s.slice(i + 1);
      });
    fc.assert(fc.property(damaged, (text) => (findJsonSyntaxError(text) === null) === valid(text)), { numRuns: 2000 });
  });

  it('points at the first error', () => {
    expect(findJsonSyntaxError('{\n  "a": 1,\n}')).toEqual({ offset: 12, message: 'unexpected "}"; expected a property name in double quotes' });
    expect(findJsonSyntaxError('[1, 2')).toMatchObject({ offset: 5, message: expect.stringMatching(/end of the document/) });
    expect(findJsonSyntaxError('{"a": tru}')).toMatchObject({ offset: 6 });
  });
});
