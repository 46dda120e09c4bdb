import { describe, expect, it } from 'vitest';
import { lineDiff, unifiedDiff } from '../../src/domain/line-diff.ts';

/** Rebuilds both texts from a diff: the kept and removed lines make the old one, kept and added the new. */
function sides(d: ReturnType<typeof lineDiff>) {
  return { old: d.filter((l) => l.op !== '+').map((l) => l.text), new: d.filter((l) => l.op !== '-').map((l) => l.text) };
}

describe('lineDiff', () => {
  it('marks nothing when the texts are equal, and unifiedDiff is empty', () => {
    const d = lineDiff('a\nb\n', 'a\nb\n');
    expect(d.every((l) => l.op === ' ')).toBe(true);
    expect(unifiedDiff(d)).toBe('');
  });

  it('keeps the longest common subsequence and reports a changed line as removed then added', () => {
    const d = lineDiff('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n');
    expect(d.map((l) => `${l.op}${l.text}`)).toEqual([' a', '-b', '+B', ' c', ' d', '+e']);
    expect(d.find((l) => l.text === 'B')?.new).toBe(2);
    expect(d.find((l) => l.text === 'b')?.old).toBe(2);
  });

  it('rebuilds both texts exactly for scrambled inputs (a property over many cases)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 200; k++) {
      const a = Array.from({ length: Math.floor(rnd() * 12) }, () => 'xyzw'[Math.floor(rnd() * 4)] as string);
      const b = Array.from({ length: Math.floor(rnd() * 12) }, () => 'xyzw'[Math.floor(rnd() * 4)] as string);
      const d = lineDiff(a.join('\n'), b.join('\n'));
      expect(sides(d)).toEqual({ old: a, new: b });
    }
  });

  it('finds a minimal diff: moving one line costs one removal and one addition', () => {
    const d = lineDiff('1\n2\n3\n4\n5\n', '2\n3\n4\n5\n1\n');
    expect(d.filter((l) => l.op !== ' ')).toHaveLength(2);
  });

  it('writes unified hunks with line numbers and three lines of context', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const changed = old.replace('line 10', 'line ten');
    expect(unifiedDiff(lineDiff(old, changed))).toBe(['@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+line ten', ' line 11', ' line 12', ' line 13', ''].join('\n'));
  });
});
