/**
 * The policy document as a small positioned tree: maps, lists and scalars, each with the 1-based
 * line it starts on, so validation can say where every problem is. Built from the `yaml`
 * package's document nodes (JSON is read by the same parser: it is YAML 1.2 flow syntax).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { findJsonSyntaxError } from './json-syntax.ts';
import type { PolicyProblem } from './types.ts';

export type Scalar = string | number | boolean | null;

export interface PEntry {
  key: string;
  keyLine: number;
  value: PNode;
}

export type PNode =
  | { kind: 'map'; line: number; entries: PEntry[] }
  | { kind: 'seq'; line: number; items: PNode[] }
  | { kind: 'scalar'; line: number; value: Scalar };

export type PMap = Extract<PNode, { kind: 'map' }>;
export type PSeq = Extract<PNode, { kind: 'seq' }>;

export type ReadResult = { ok: true; root: PNode | null } | { ok: false; problems: PolicyProblem[] };

/** Parses YAML (or JSON when `format` is `json`) into a positioned tree, or lists syntax problems. */
export function readSourceTree(source: string, format: 'yaml' | 'json'): ReadResult {
  if (format === 'json') {
    const problem = jsonSyntaxProblem(source);
    if (problem) return { ok: false, problems: [problem] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: '(document)',
        message: `${format === 'json' ? 'JSON' : 'YAML'} syntax: ${firstLine(e.message)}`,
        line: e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line,
      })),
    };
  }
  const line = (offset: number | undefined): number => lineCounter.linePos(offset ?? 0).line;
  return { ok: true, root: doc.contents ? toTree(doc, doc.contents, line, 0) : null };
}

function toTree(doc: Document, node: unknown, line: (offset: number | undefined) => number, depth: number): PNode {
  if (depth > 100) return { kind: 'scalar', line: 1, value: null };
  if (isAlias(node)) {
    const target = node.resolve(doc);
    const at = line(node.range?.[0]);
    return target ? { ...toTree(doc, target, line, depth + 1), line: at } : { kind: 'scalar', line: at, value: null };
  }
  if (isMap(node)) {
    const entries: PEntry[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const keyLine = line(keyNode?.range?.[0] ?? node.range?.[0]);
      const value = pair.value === null || pair.value === undefined
        ? { kind: 'scalar' as const, line: keyLine, value: null }
        : toTree(doc, pair.value, line, depth + 1);
      entries.push({ key, keyLine, value });
    }
    return { kind: 'map', line: line(node.range?.[0]), entries };
  }
  if (isSeq(node)) {
    return { kind: 'seq', line: line(node.range?.[0]), items: node.items.map((item) => toTree(doc, item, line, depth + 1)) };
  }
  if (isScalar(node)) {
    const v = node.value;
    const value: Scalar = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v);
    return { kind: 'scalar', line: line(node.range?.[0]), value };
  }
  return { kind: 'scalar', line: 1, value: null };
}

function firstLine(message: string): string {
  const head = message.split('\n')[0] ?? message;
  return head.replace(/ at line \d+, column \d+:?$/, '');
}

function jsonSyntaxProblem(source: string): PolicyProblem | null {
  const e = findJsonSyntaxError(source);
  if (!e) return null;
  return { path: '(document)', message: `JSON syntax: ${e.message}`, line: source.slice(0, e.offset).split('\n').length };
}
