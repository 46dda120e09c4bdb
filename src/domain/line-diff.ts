/**
 * A line diff of two texts (longest common subsequence), for comparing policy versions. Policy
 * documents are a few hundred lines, so the quadratic table is small; the common head and tail
 * are cut off first, which leaves only the changed middle for the table in the usual case.
 */

export interface DiffLine {
  /** ' ' kept, '-' only in the old text, '+' only in the new one. */
  op: ' ' | '-' | '+';
  text: string;
  /** 1-based line in the old text (kept and removed lines). */
  old?: number;
  /** 1-based line in the new text (kept and added lines). */
  new?: number;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Every line of both texts in order: kept, removed (before the added lines that replace them), added. */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  // lcs[i][j]: length of the longest common subsequence of the middles from i and j on.
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const below = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = a[head + i] === b[head + j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const out: DiffLine[] = [];
  for (let k = 0; k < head; k++) out.push({ op: ' ', text: a[k] as string, old: k + 1, new: k + 1 });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const x = head + i;
    const y = head + j;
    if (i < n && j < m && a[x] === b[y]) {
      out.push({ op: ' ', text: a[x] as string, old: x + 1, new: y + 1 });
      i++;
      j++;
    } else if (j >= m || (i < n && (lcs[i + 1]?.[j] as number) >= (lcs[i]?.[j + 1] as number))) {
      out.push({ op: '-', text: a[x] as string, old: x + 1 });
      i++;
    } else {
      out.push({ op: '+', text: b[y] as string, new: y + 1 });
      j++;
    }
  }
  for (let k = tail; k > 0; k--) out.push({ op: ' ', text: a[a.length - k] as string, old: a.length - k + 1, new: b.length - k + 1 });
  return out;
}

/** A unified diff (`@@ -a,n +b,m @@` hunks with `context` kept lines around each change); '' when equal. */
export function unifiedDiff(lines: DiffLine[], context = 3): string {
  const changed = lines.map((l, k) => (l.op === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const hunks: Array<[number, number]> = [];
  for (const k of changed) {
    const from = Math.max(0, k - context);
    const to = Math.min(lines.length - 1, k + context);
    const last = hunks.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else hunks.push([from, to]);
  }
  const out: string[] = [];
  for (const [from, to] of hunks) {
    const part = lines.slice(from, to + 1);
    const olds = part.filter((l) => l.op !== '+');
    const news = part.filter((l) => l.op !== '-');
    const oldStart = olds[0]?.old ?? startBefore(lines, from, 'old');
    const newStart = news[0]?.new ?? startBefore(lines, from, 'new');
    out.push(`@@ -${oldStart},${olds.length} +${newStart},${news.length} @@`);
    for (const l of part) out.push(`${l.op}${l.text}`);
  }
  return `${out.join('\n')}\n`;
}

/** For a hunk with no line on one side: the line before it on that side (unified-diff convention). */
function startBefore(lines: DiffLine[], from: number, side: 'old' | 'new'): number {
  for (let k = from - 1; k >= 0; k--) {
    const n = lines[k]?.[side];
    if (n !== undefined) return n;
  }
  return 0;
}
