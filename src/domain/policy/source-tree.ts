/**
 * The policy document as a small positioned tree: maps, lists and scalars, each with the 1-based
 * line it starts on, so validation can say where every problem is. Built from the `yaml`
 * package's document nodes (JSON is read by the same parser: it is YAML 1.2 flow syntax).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import { findJsonSyntaxError } from './json-syntax.ts';
import { checkPolicyText, POLICY_LIMITS, tooComplex, type PolicyLimit, type PolicyTooComplex } from './limits.ts';
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

export type ReadResult =
  | { ok: true; root: PNode | null }
  | { ok: false; problems: PolicyProblem[]; tooComplex?: PolicyTooComplex };

/**
 * Parses YAML (or JSON when `format` is `json`) into a positioned tree, or lists syntax problems.
 * A document past the limits of limits.ts is refused with `tooComplex` set (and its one problem).
 */
export function readSourceTree(source: string, format: 'yaml' | 'json'): ReadResult {
  const textLimit = checkPolicyText(source);
  if (textLimit) return refuse(textLimit);
  if (format === 'json') {
    const problem = jsonSyntaxProblem(source);
    if (problem) return { ok: false, problems: [problem] };
  }
  const lineCounter = new LineCounter();
  // Duplicate keys are found while the tree is built (a Set per map): the parser's own check
  // compares every key with every earlier one, quadratic in the keys of a map.
  const doc = parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const overflow = doc.errors.find((e) => /Maximum call stack/i.test(e.message));
    if (overflow) return refuse(tooComplex('depth', POLICY_LIMITS.depth + 1, '(document)', overflow.linePos?.[0].line ?? lineCounter.linePos(overflow.pos[0]).line));
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: '(document)',
        message: `${format === 'json' ? 'JSON' : 'YAML'} syntax: ${firstLine(e.message)}`,
        line: e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line,
      })),
    };
  }
  const builder = new TreeBuilder(doc, (offset) => lineCounter.linePos(offset ?? 0).line, format === 'json' ? 'JSON' : 'YAML');
  try {
    const root = doc.contents ? builder.build(doc.contents, 0) : null;
    if (builder.duplicates.length > 0) return { ok: false, problems: builder.duplicates };
    return { ok: true, root };
  } catch (e) {
    if (e instanceof LimitReached) return refuse(e.detail);
    throw e;
  }
}

function refuse(detail: PolicyTooComplex): ReadResult {
  return {
    ok: false,
    tooComplex: detail,
    problems: [{ path: detail.path, message: detail.message, ...(detail.line !== undefined && { line: detail.line }) }],
  };
}

class LimitReached extends Error {
  constructor(readonly detail: PolicyTooComplex) {
    super(detail.message);
  }
}

/**
 * Builds the tree within the budget: every node made (an alias's target again each time it is
 * used) counts against POLICY_LIMITS.nodes, so nine levels of `x: &x [*w, *w, …]` stop after
 * 20,000 nodes, not 9^9. Each alias is resolved once (the `yaml` package walks the whole
 * document per resolution).
 */
class TreeBuilder {
  readonly duplicates: PolicyProblem[] = [];
  private nodes = 0;
  private readonly aliases = new Map<unknown, unknown>();
  private targets: Map<unknown, unknown> | undefined;
  /** The path to the node being built, as keys and indexes: made into text only for a message. */
  private readonly segments: Array<string | number> = [];

  constructor(
    private readonly doc: Document,
    private readonly line: (offset: number | undefined) => number,
    private readonly syntax: 'YAML' | 'JSON',
  ) {}

  private path(): string {
    let out = '';
    for (const s of this.segments) out = typeof s === 'number' ? `${out}[${s}]` : join(out, s);
    return out === '' ? '(document)' : out;
  }

  private limit(limit: PolicyLimit, found: number, offset: number | undefined): never {
    throw new LimitReached(tooComplex(limit, found, this.path(), this.line(offset)));
  }

  /** An alias's target: the latest node before it with that anchor (one walk of the document for all aliases). */
  private resolve(alias: unknown): unknown {
    if (!this.targets) {
      const targets = new Map<unknown, unknown>();
      const anchors = new Map<string, unknown>();
      visit(this.doc, {
        Node: (_key, n) => {
          if (isAlias(n)) targets.set(n, anchors.get(n.source));
          else if ((isScalar(n) || isMap(n) || isSeq(n)) && n.anchor) anchors.set(n.anchor, n);
        },
      });
      this.targets = targets;
    }
    return this.targets.get(alias);
  }

  build(node: unknown, depth: number): PNode {
    const offset = (node as YamlNode | null)?.range?.[0];
    if (depth > POLICY_LIMITS.depth) this.limit('depth', depth, offset);
    if (++this.nodes > POLICY_LIMITS.nodes) this.limit('nodes', this.nodes, offset);
    if (isAlias(node)) {
      let target = this.aliases.get(node);
      if (!this.aliases.has(node)) {
        if (this.aliases.size >= POLICY_LIMITS.aliases) this.limit('aliases', this.aliases.size + 1, offset);
        target = this.resolve(node);
        this.aliases.set(node, target);
      }
      const at = this.line(offset);
      return target ? { ...this.build(target, depth + 1), line: at } : { kind: 'scalar', line: at, value: null };
    }
    if (isMap(node)) {
      if (node.items.length > POLICY_LIMITS.keysPerMap) this.limit('keys_per_map', node.items.length, offset);
      const entries: PEntry[] = [];
      const seen = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const keyLine = this.line(keyNode?.range?.[0] ?? offset);
        this.segments.push(key);
        if (seen.has(key)) {
          this.duplicates.push({ path: this.path(), message: `${this.syntax} syntax: Map keys must be unique ("${key}" appears more than once)`, line: keyLine });
        } else {
          seen.add(key);
          const value =
            pair.value === null || pair.value === undefined ? { kind: 'scalar' as const, line: keyLine, value: null } : this.build(pair.value, depth + 1);
          entries.push({ key, keyLine, value });
        }
        this.segments.pop();
      }
      return { kind: 'map', line: this.line(offset), entries };
    }
    if (isSeq(node)) {
      const items: PNode[] = [];
      node.items.forEach((item, i) => {
        this.segments.push(i);
        items.push(this.build(item, depth + 1));
        this.segments.pop();
      });
      return { kind: 'seq', line: this.line(offset), items };
    }
    if (isScalar(node)) {
      const v = node.value;
      const value: Scalar = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v);
      return { kind: 'scalar', line: this.line(offset), value };
    }
    return { kind: 'scalar', line: 1, value: null };
  }
}

function join(path: string, key: string): string {
  const k = key === '' || /[\s[\]"]/.test(key) ? JSON.stringify(key) : key;
  return path === '' ? k : `${path}.${k}`;
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
