/**
 * `root_causes:` — the categories a post-resolution review picks its root cause from. Optional:
 * without it the policy has DEFAULT_ROOT_CAUSES. Each item is an id (`product_defect`) or
 * `{ id, name }`; ids are lower-case words joined by `_` so reports and CSV columns stay stable.
 */
import { asMap, asSeq, at, checkKeys, get, join, type Problems, readString } from './reader.ts';
import type { PNode } from './source-tree.ts';
import type { RootCauseDef } from './types.ts';

export const DEFAULT_ROOT_CAUSES: readonly RootCauseDef[] = [
  { id: 'product_defect', name: 'Product defect' },
  { id: 'configuration', name: 'Configuration or setup' },
  { id: 'documentation_gap', name: 'Missing or unclear documentation' },
  { id: 'user_error', name: 'User error or training' },
  { id: 'third_party', name: 'Third-party service' },
  { id: 'infrastructure', name: 'Infrastructure or capacity' },
  { id: 'process_gap', name: 'Support process gap' },
  { id: 'other', name: 'Other' },
];

const ID = /^[a-z][a-z0-9_]*$/;

function humanize(id: string): string {
  const words = id.replace(/_/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

export function readRootCauses(p: Problems, node: PNode | undefined, path: string): RootCauseDef[] {
  if (!node) return [...DEFAULT_ROOT_CAUSES];
  const list = asSeq(p, node, path, 'a list of root-cause categories (ids, or { id, name })');
  if (!list) return [];
  if (list.items.length === 0) p.add(path, 'list at least one root-cause category, or leave root_causes out for the default list', node.line);
  const out: RootCauseDef[] = [];
  list.items.forEach((item, i) => {
    const iPath = at(path, i);
    let id: string | undefined;
    let name: string | undefined;
    let idLine = item.line;
    if (item.kind === 'scalar') {
      id = readString(p, item, iPath, 'a root-cause id');
    } else {
      const map = asMap(p, item, iPath, 'a root-cause id or { id, name }');
      if (!map) return;
      checkKeys(p, map, iPath, ['id', 'name'], ['id']);
      const idNode = get(map, 'id');
      if (idNode) {
        idLine = idNode.line;
        id = readString(p, idNode, join(iPath, 'id'), 'a root-cause id');
      }
      const nameNode = get(map, 'name');
      if (nameNode) name = readString(p, nameNode, join(iPath, 'name'), 'a root-cause name');
    }
    if (id === undefined) return;
    if (!ID.test(id)) {
      p.add(item.kind === 'scalar' ? iPath : join(iPath, 'id'), `root-cause id "${id}" must be lower-case letters, digits and _ (e.g. product_defect)`, idLine);
      return;
    }
    if (out.some((c) => c.id === id)) {
      p.add(item.kind === 'scalar' ? iPath : join(iPath, 'id'), `duplicate root-cause id "${id}"`, idLine);
      return;
    }
    out.push({ id, name: name ?? humanize(id) });
  });
  return out;
}
