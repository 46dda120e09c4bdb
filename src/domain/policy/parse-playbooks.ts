/**
 * `playbooks:` (issue 13) — checklists per escalation reason and macros (canned replies):
 *
 *   playbooks:
 *     checklists:
 *       legal_compliance:                      # a reason category (REASONS)
 *         title: Legal & compliance hand-off
 *         items:
 *           - { id: counsel, text: Loop in legal counsel, required: true }
 *     macros:
 *       - id: ask-logs
 *         name: Ask for logs
 *         visibility: public                   # public | internal
 *         body: "Hi {{ customer.first_name }}, …"   # Liquid, strict (sampleMacroContext's names)
 *         set: { status: pending, priority: high, tags: [waiting-logs] }
 *
 * Optional, and so are both keys. Everything is checked at once with the rest of the policy:
 * reason categories exist, ids are unique (items within their checklist, macros overall), bodies
 * parse and render against the sample context, `set` values are valid, and PLAYBOOK_LIMITS hold.
 */
import { checkMacroBody } from '../playbooks.ts';
import { asMap, asSeq, at, checkKeys, closest, get, join, type Problems, readBoolean, readEnum, readList, readString } from './reader.ts';
import type { PNode } from './source-tree.ts';
import { type ChecklistDef, type ChecklistItemDef, MACRO_VISIBILITIES, type MacroDef, type PlaybooksDef, PRIORITIES, REASONS, type ReasonCategory, STATUSES } from './types.ts';

export const PLAYBOOK_LIMITS = {
  itemsPerChecklist: 40,
  macros: 200,
  /** Characters in an item's text, a title or a macro's name. */
  textChars: 300,
  /** Characters in a macro body (before rendering). */
  bodyChars: 8000,
} as const;

const ID = /^[a-z][a-z0-9_-]*$/;

export function readPlaybooks(p: Problems, node: PNode | undefined, path: string): PlaybooksDef {
  const out: PlaybooksDef = { checklists: [], macros: [] };
  if (!node) return out;
  const map = asMap(p, node, path, 'a map { checklists, macros }');
  if (!map) return out;
  checkKeys(p, map, path, ['checklists', 'macros']);
  const cl = get(map, 'checklists');
  if (cl) out.checklists = readChecklists(p, cl, join(path, 'checklists'));
  const ma = get(map, 'macros');
  if (ma) out.macros = readMacros(p, ma, join(path, 'macros'));
  return out;
}

function readText(p: Problems, node: PNode, path: string, what: string, max: number = PLAYBOOK_LIMITS.textChars): string | undefined {
  const s = readString(p, node, path, what);
  if (s === undefined) return undefined;
  if (s.length > max) {
    p.add(path, `${what} is ${s.length} characters long; keep it to ${max}`, node.line);
    return undefined;
  }
  return s.trim();
}

function readId(p: Problems, node: PNode, path: string, what: string): string | undefined {
  const id = readString(p, node, path, what);
  if (id === undefined) return undefined;
  if (!ID.test(id)) {
    p.add(path, `${what} "${id}" must be lower-case letters, digits, _ and - (e.g. ask-logs)`, node.line);
    return undefined;
  }
  return id;
}

function readChecklists(p: Problems, node: PNode, path: string): ChecklistDef[] {
  const map = asMap(p, node, path, `a map from reason category (${REASONS.join(', ')}) to a checklist { title, items }`);
  if (!map) return [];
  const out: ChecklistDef[] = [];
  for (const entry of map.entries) {
    const cPath = join(path, entry.key);
    if (!(REASONS as readonly string[]).includes(entry.key)) {
      const near = closest(entry.key, REASONS);
      p.add(cPath, `unknown reason category "${entry.key}"; ${near ? `did you mean "${near}"?` : `expected one of: ${REASONS.join(', ')}`}`, entry.keyLine);
      continue;
    }
    const c = asMap(p, entry.value, cPath, 'a checklist { title, items }');
    if (!c) continue;
    checkKeys(p, c, cPath, ['title', 'items'], ['title', 'items']);
    const titleNode = get(c, 'title');
    const title = titleNode ? readText(p, titleNode, join(cPath, 'title'), 'a checklist title') : undefined;
    const itemsNode = get(c, 'items');
    const items = itemsNode ? readItems(p, itemsNode, join(cPath, 'items')) : undefined;
    if (title !== undefined && items !== undefined) out.push({ reason: entry.key as ReasonCategory, title, items });
  }
  return out;
}

function readItems(p: Problems, node: PNode, path: string): ChecklistItemDef[] | undefined {
  const list = asSeq(p, node, path, 'a list of items { id, text, required }');
  if (!list) return undefined;
  if (list.items.length === 0) p.add(path, 'list at least one item, or leave the checklist out', node.line);
  if (list.items.length > PLAYBOOK_LIMITS.itemsPerChecklist) {
    p.add(path, `${list.items.length} items; a checklist has at most ${PLAYBOOK_LIMITS.itemsPerChecklist} (split the work into fewer, larger steps)`, node.line);
    return undefined;
  }
  const out: ChecklistItemDef[] = [];
  let bad = list.items.length === 0;
  list.items.forEach((itemNode, i) => {
    const iPath = at(path, i);
    const m = asMap(p, itemNode, iPath, 'an item { id, text, required }');
    if (!m) return void (bad = true);
    checkKeys(p, m, iPath, ['id', 'text', 'required'], ['id', 'text']);
    const idNode = get(m, 'id');
    const id = idNode ? readId(p, idNode, join(iPath, 'id'), 'an item id') : undefined;
    if (id !== undefined && out.some((x) => x.id === id)) {
      p.add(join(iPath, 'id'), `duplicate item id "${id}" in this checklist`, idNode?.line);
      return void (bad = true);
    }
    const textNode = get(m, 'text');
    const text = textNode ? readText(p, textNode, join(iPath, 'text'), 'an item text') : undefined;
    const reqNode = get(m, 'required');
    const required = reqNode ? readBoolean(p, reqNode, join(iPath, 'required')) : false;
    if (id === undefined || text === undefined || required === undefined) return void (bad = true);
    out.push({ id, text, required });
  });
  return bad ? undefined : out;
}

function readMacros(p: Problems, node: PNode, path: string): MacroDef[] {
  const list = asSeq(p, node, path, 'a list of macros { id, name, visibility, body, set }');
  if (!list) return [];
  if (list.items.length > PLAYBOOK_LIMITS.macros) {
    p.add(path, `${list.items.length} macros; a policy has at most ${PLAYBOOK_LIMITS.macros}`, node.line);
    return [];
  }
  const out: MacroDef[] = [];
  const seen = new Set<string>();
  list.items.forEach((mNode, i) => {
    const mPath = at(path, i);
    const m = asMap(p, mNode, mPath, 'a macro { id, name, visibility, body, set }');
    if (!m) return;
    checkKeys(p, m, mPath, ['id', 'name', 'visibility', 'body', 'set'], ['id', 'name', 'visibility', 'body']);
    const idNode = get(m, 'id');
    let id = idNode ? readId(p, idNode, join(mPath, 'id'), 'a macro id') : undefined;
    if (id !== undefined && seen.has(id)) {
      p.add(join(mPath, 'id'), `duplicate macro id "${id}"`, idNode?.line);
      id = undefined;
    } else if (id !== undefined) seen.add(id);
    const nameNode = get(m, 'name');
    const name = nameNode ? readText(p, nameNode, join(mPath, 'name'), 'a macro name') : undefined;
    const visNode = get(m, 'visibility');
    const visibility = visNode ? readEnum(p, visNode, join(mPath, 'visibility'), MACRO_VISIBILITIES, 'visibility') : undefined;
    const bodyNode = get(m, 'body');
    let body = bodyNode ? readText(p, bodyNode, join(mPath, 'body'), 'a macro body', PLAYBOOK_LIMITS.bodyChars) : undefined;
    if (body !== undefined && bodyNode) {
      const why = checkMacroBody(body);
      if (why !== null) {
        p.add(join(mPath, 'body'), `the body does not render: ${why}; macros can read ticket.key/subject/status/priority/tags/team/level/url, customer.name/first_name/email, organization.name/tier, agent.name/first_name/email`, bodyNode.line);
        body = undefined;
      }
    }
    const setNode = get(m, 'set');
    const set = setNode ? readMacroSet(p, setNode, join(mPath, 'set')) : {};
    if (id === undefined || name === undefined || visibility === undefined || body === undefined || set === undefined) return;
    out.push({ id, name, visibility, body, set });
  });
  return out;
}

function readMacroSet(p: Problems, node: PNode, path: string): MacroDef['set'] | undefined {
  const map = asMap(p, node, path, 'a map { status, priority, tags }');
  if (!map) return undefined;
  checkKeys(p, map, path, ['status', 'priority', 'tags']);
  const out: MacroDef['set'] = {};
  let ok = true;
  const st = get(map, 'status');
  if (st) {
    const v = readEnum(p, st, join(path, 'status'), STATUSES, 'status');
    if (v === 'new') p.add(join(path, 'status'), 'a ticket cannot be moved back to "new"', st.line);
    if (v === undefined || v === 'new') ok = false;
    else out.status = v;
  }
  const pr = get(map, 'priority');
  if (pr) {
    const v = readEnum(p, pr, join(path, 'priority'), PRIORITIES, 'priority');
    if (v === undefined) ok = false;
    else out.priority = v;
  }
  const tg = get(map, 'tags');
  if (tg) {
    const v = readList(p, tg, join(path, 'tags'), 'tags', (n, np) => readText(p, n, np, 'a tag', 64));
    if (v === undefined) ok = false;
    else out.tags = v;
  }
  return ok && map.entries.every((e) => ['status', 'priority', 'tags'].includes(e.key)) ? out : undefined;
}
