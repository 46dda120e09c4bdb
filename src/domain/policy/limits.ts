/**
 * How big and how tangled a policy document may be (issue 12, docs/security.md). A
 * document past any of these is refused whole with POLICY_TOO_COMPLEX before the work it would
 * cost is done: the cheap text checks run before the YAML parser, the tree checks while the
 * positioned tree is built (aliases are counted as they are expanded, so an alias bomb stops at
 * the node budget instead of doubling per level).
 *
 * The reference policy (policies/reference.policy.yaml, playbooks included) is 10.6 KB, 266 lines +
 * 113 commas, ~740 YAML nodes (keys included), 9 levels deep; the limits leave room for a policy 10
 * times its size (6 times as pretty-printed JSON, one value per line).
 */
export const POLICY_LIMITS = {
  /** Characters in the document. */
  documentChars: 262_144,
  /**
   * Lines plus commas (a comma at the end of a line counts once): each is at most one list or map item, so this bounds the YAML parser's
   * work (about 0.1 ms per item on a busy machine) on block and on one-line flow/JSON documents.
   */
  items: 4_000,
  /** Nesting of maps and lists (flow brackets are counted before parsing, all nesting while building the tree). */
  depth: 64,
  /** Alias references (`*name`) in the document. */
  aliases: 100,
  /** Maps, lists and values in the document, every alias counted as what it expands to. */
  nodes: 10_000,
  /** Keys in one map. */
  keysPerMap: 500,
  /** Problems listed in one answer; the rest are counted, not listed. */
  problemsListed: 100,
} as const;

export type PolicyLimit = 'document_chars' | 'items' | 'depth' | 'aliases' | 'nodes' | 'keys_per_map';

/** Which limit a document went past, where, and how to fix it. */
export interface PolicyTooComplex {
  limit: PolicyLimit;
  max: number;
  /** How far the document got when it was stopped (at least max + 1; for nodes, the count when stopped). */
  found: number;
  path: string;
  line?: number;
  message: string;
}

const HOW: Record<PolicyLimit, string> = {
  document_chars: 'split the policy or remove unused parts',
  items: 'split the policy or remove unused parts',
  depth: 'flatten the structure (conditions can be combined with all/any at one level)',
  aliases: 'write the repeated parts out instead of referring to them with *aliases',
  nodes: 'write the repeated parts out instead of nesting *aliases, or split the policy',
  keys_per_map: 'remove the unknown or repeated keys',
};

const WHAT: Record<PolicyLimit, string> = {
  document_chars: 'characters',
  items: 'lines and commas (list and map items)',
  depth: 'levels of nesting',
  aliases: 'alias references (*name)',
  nodes: 'maps, lists and values (aliases counted as what they expand to)',
  keys_per_map: 'keys in one map',
};

export function tooComplex(limit: PolicyLimit, found: number, path: string, line?: number): PolicyTooComplex {
  const max = maxOf(limit);
  const where =
    line === undefined
      ? path === '(document)'
        ? ''
        : ` at ${path}`
      : ` at ${path === '(document)' ? '' : `${path}, `}line ${line}`;
  const over = limit === 'nodes' || limit === 'aliases' ? `more than ${max}` : `${found} (at most ${max})`;
  return {
    limit,
    max,
    found,
    path,
    ...(line !== undefined && { line }),
    message: `the policy document is too complex: ${over} ${WHAT[limit]}${where}; ${HOW[limit]}`,
  };
}

function maxOf(limit: PolicyLimit): number {
  switch (limit) {
    case 'document_chars':
      return POLICY_LIMITS.documentChars;
    case 'items':
      return POLICY_LIMITS.items;
    case 'depth':
      return POLICY_LIMITS.depth;
    case 'aliases':
      return POLICY_LIMITS.aliases;
    case 'nodes':
      return POLICY_LIMITS.nodes;
    case 'keys_per_map':
      return POLICY_LIMITS.keysPerMap;
  }
}

/**
 * The checks on the text, before any parsing: size, lines + commas and the nesting of flow
 * brackets (`[` `{`), all in one pass. Brackets inside quoted strings or comments are counted
 * too, which can only overestimate; 64 levels leave room for that.
 */
export function checkPolicyText(source: string): PolicyTooComplex | null {
  if (source.length > POLICY_LIMITS.documentChars)
    return tooComplex('document_chars', source.length, '(document)');
  let line = 1;
  let items = 1;
  let depth = 0;
  // A line break right after a comma (spaces aside) ends the same item: pretty-printed JSON counts once per value.
  let afterComma = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || c === 44) {
      if (c === 10) line++;
      const sameItem = c === 10 && afterComma;
      afterComma = c === 44;
      if (!sameItem && ++items > POLICY_LIMITS.items) return tooComplex('items', items, '(document)', line);
      continue;
    }
    if (c !== 32 && c !== 9 && c !== 13) afterComma = false;
    if (c === 91 || c === 123) {
      if (++depth > POLICY_LIMITS.depth) return tooComplex('depth', depth, '(document)', line);
    } else if ((c === 93 || c === 125) && depth > 0) {
      depth--;
    }
  }
  return null;
}

/**
 * For a policy that arrived as parsed JSON (an `application/json` body): the first nesting past
 * POLICY_LIMITS.depth, found without recursion (re-serialising a 5,000-deep value would overflow
 * the stack), or null.
 */
export function checkPolicyValueDepth(value: unknown): PolicyTooComplex | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= POLICY_LIMITS.depth) return tooComplex('depth', depth + 1, '(document)');
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return null;
}
