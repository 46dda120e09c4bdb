/**
 * Reading the positioned tree with checks: every reader reports what is wrong (with the path and
 * line) into one shared list and returns undefined, so validation carries on and the whole
 * document's problems come out at once.
 */
import type { PMap, PNode, PSeq } from './source-tree.ts';
import type { PolicyProblem } from './types.ts';

export class Problems {
  readonly list: PolicyProblem[] = [];
  add(path: string, message: string, line?: number): void {
    this.list.push(line === undefined ? { path, message } : { path, message, line });
  }
}

export function join(path: string, key: string): string {
  // Keys that would make the path ambiguous (empty, spaces, brackets, quotes) are shown quoted.
  const shown = key === '' || /[\s[\]"]/.test(key) ? JSON.stringify(key) : key;
  return path === '' ? shown : `${path}.${shown}`;
}

export function at(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** How a node looks, for "expected X, found Y" messages. */
export function describe(node: PNode): string {
  if (node.kind === 'map') return 'a map';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'nothing';
  if (typeof v === 'string') return `the text "${v}"`;
  if (typeof v === 'number') return `the number ${v}`;
  return `the value ${String(v)}`;
}

export function asMap(p: Problems, node: PNode, path: string, what: string): PMap | undefined {
  if (node.kind === 'map') return node;
  p.add(path, `expected ${what}, found ${describe(node)}`, node.line);
  return undefined;
}

export function asSeq(p: Problems, node: PNode, path: string, what: string): PSeq | undefined {
  if (node.kind === 'seq') return node;
  p.add(path, `expected ${what}, found ${describe(node)}`, node.line);
  return undefined;
}

export function get(map: PMap, key: string): PNode | undefined {
  return map.entries.find((e) => e.key === key)?.value;
}

/**
 * Strictness: every key must be known. Reports unknown keys (with a close match when there is
 * one) and missing required ones.
 */
export function checkKeys(p: Problems, map: PMap, path: string, allowed: readonly string[], required: readonly string[] = []): void {
  for (const e of map.entries) {
    if (!allowed.includes(e.key)) {
      const near = closest(e.key, allowed);
      const hint = near ? `did you mean "${near}"?` : `expected one of: ${allowed.join(', ')}`;
      p.add(join(path, e.key), `unknown field "${e.key}"; ${hint}`, e.keyLine);
    }
  }
  for (const key of required) {
    if (!map.entries.some((e) => e.key === key)) p.add(join(path, key), `missing required field "${key}"`, map.line);
  }
}

export function readString(p: Problems, node: PNode, path: string, what = 'a text'): string | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    if (node.value.trim() === '') {
      p.add(path, `expected ${what}, found an empty text`, node.line);
      return undefined;
    }
    return node.value;
  }
  p.add(path, `expected ${what}, found ${describe(node)}`, node.line);
  return undefined;
}

export function readNumber(p: Problems, node: PNode, path: string): number | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isFinite(node.value)) return node.value;
  p.add(path, `expected a number, found ${describe(node)}`, node.line);
  return undefined;
}

export function readBoolean(p: Problems, node: PNode, path: string): boolean | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  p.add(path, `expected true or false, found ${describe(node)}`, node.line);
  return undefined;
}

/** One of a fixed set of words. */
export function readEnum<T extends string>(p: Problems, node: PNode, path: string, allowed: readonly T[], what: string): T | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string' && (allowed as readonly string[]).includes(node.value)) return node.value as T;
  const near = node.kind === 'scalar' && typeof node.value === 'string' ? closest(node.value, allowed) : undefined;
  const found = node.kind === 'scalar' && typeof node.value === 'string' ? `"${node.value}"` : describe(node);
  const hint = near ? `did you mean "${near}"?` : `expected one of: ${allowed.join(', ')}`;
  p.add(path, `unknown ${what} ${found}; ${hint}`, node.line);
  return undefined;
}

/** A list of items read by `read`; a single item stands for a one-item list when `single` is set. */
export function readList<T>(
  p: Problems,
  node: PNode,
  path: string,
  what: string,
  read: (item: PNode, path: string) => T | undefined,
  single = false,
): T[] | undefined {
  if (node.kind !== 'seq') {
    if (single) {
      const one = read(node, path);
      return one === undefined ? undefined : [one];
    }
    p.add(path, `expected a list of ${what}, found ${describe(node)}`, node.line);
    return undefined;
  }
  const out: T[] = [];
  let bad = false;
  node.items.forEach((item, i) => {
    const v = read(item, at(path, i));
    if (v === undefined) bad = true;
    else out.push(v);
  });
  return bad ? undefined : out;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function isEmail(text: string): boolean {
  return EMAIL.test(text);
}

export function readEmail(p: Problems, node: PNode, path: string): string | undefined {
  const s = readString(p, node, path, 'an email address');
  if (s === undefined) return undefined;
  if (!isEmail(s)) {
    p.add(path, `"${s}" is not an email address (expected name@domain)`, node.line);
    return undefined;
  }
  return s;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists. */
export function readDate(p: Problems, node: PNode, path: string): string | undefined {
  const s = readString(p, node, path, 'a date YYYY-MM-DD');
  if (s === undefined) return undefined;
  const m = DATE.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d) return s;
    p.add(path, `"${s}" is not a real date`, node.line);
    return undefined;
  }
  p.add(path, `"${s}" is not a date; write YYYY-MM-DD, e.g. 2026-12-25`, node.line);
  return undefined;
}

/** The allowed word closest to `word` (edit distance ≤ 2), for "did you mean" hints. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
