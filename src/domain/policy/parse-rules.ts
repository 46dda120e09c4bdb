/**
 * `rules:` — each `on` a trigger (a name, `{ idle: 2h }`, `{ unacknowledged: 30m }`, or a list
 * of those), an optional `if` condition and `do`, a list of one-key action maps, checked against
 * the levels, teams, skills, people and templates the policy knows.
 */
import { PHONE } from '../contact.ts';
import { readCondition, type ConditionScope } from './parse-condition.ts';
import { readPositiveDuration } from './parse-sla.ts';
import {
  asMap, asSeq, at, checkKeys, closest, describe, get, isEmail, join, readBoolean, readEnum, readList, readString, type Problems,
} from './reader.ts';
import type { PMap, PNode } from './source-tree.ts';
import {
  EVENT_TRIGGERS, PRIORITIES, REASONS, STATUSES,
  type Action, type AssignTarget, type EscalateTarget, type EventTrigger, type Recipient, type RecipientRole, type RuleDef, type Trigger,
} from './types.ts';

export interface RuleScope extends ConditionScope {
  skills: ReadonlySet<string>;
  people: ReadonlySet<string>;
  templates: ReadonlySet<string>;
}

const ACTIONS = ['escalate', 'set', 'assign', 'notify', 'add_note', 'require_acknowledgement'] as const;
const ROLES: readonly RecipientRole[] = ['assignee', 'owner', 'team', 'team_lead', 'team_manager', 'on_call', 'requester'];
const ASSIGN_WORDS = ['team_lead', 'round_robin', 'least_loaded', 'on_call'] as const;

export function readRules(p: Problems, node: PNode | undefined, path: string, scope: RuleScope): RuleDef[] {
  const out: RuleDef[] = [];
  if (!node) return out;
  const list = asSeq(p, node, path, 'a list of rules');
  if (!list) return out;
  const seen = new Set<string>();
  list.items.forEach((item, i) => {
    const rPath = at(path, i);
    const map = asMap(p, item, rPath, 'a rule { id, on, if, do }');
    if (!map) return;
    checkKeys(p, map, rPath, ['id', 'on', 'if', 'do', 'enabled'], ['id', 'on', 'do']);
    let ok = true;
    const idNode = get(map, 'id');
    const id = idNode ? readString(p, idNode, join(rPath, 'id'), 'a rule id') : undefined;
    if (id !== undefined && seen.has(id)) {
      p.add(join(rPath, 'id'), `duplicate rule id "${id}"`, idNode?.line);
      ok = false;
    }
    if (id !== undefined) seen.add(id);
    const onNode = get(map, 'on');
    const on = onNode ? readTriggers(p, onNode, join(rPath, 'on')) : undefined;
    const ifNode = get(map, 'if');
    const cond = ifNode ? readCondition(p, ifNode, join(rPath, 'if'), scope) : undefined;
    if (ifNode && !cond) ok = false;
    const doNode = get(map, 'do');
    const actions = doNode ? readActions(p, doNode, join(rPath, 'do'), scope) : undefined;
    const enabledNode = get(map, 'enabled');
    const enabled = enabledNode ? readBoolean(p, enabledNode, join(rPath, 'enabled')) : true;
    if (enabled === undefined) ok = false;
    if (!ok || id === undefined || !on || !actions) return;
    const requireAck = actions.some((a) => a.kind === 'require_acknowledgement' && a.value);
    if (requireAck && !actions.some((a) => a.kind === 'escalate')) {
      p.add(join(rPath, 'do'), 'require_acknowledgement: true has no effect in a rule that does not escalate; add an escalate action or remove it', doNode?.line);
      return;
    }
    const rule: RuleDef = { id, on, do: actions, requireAck };
    if (cond) rule.if = cond;
    if (enabled === false) rule.enabled = false;
    out.push(rule);
  });
  return out;
}

function readTriggers(p: Problems, node: PNode, path: string): Trigger[] | undefined {
  const triggers = readList(p, node, path, 'triggers', (n, np) => readTrigger(p, n, np), true);
  if (!triggers) return undefined;
  if (triggers.length === 0) {
    p.add(path, 'a rule needs at least one trigger', node.line);
    return undefined;
  }
  const keys = triggers.map((t) => (t.kind === 'event' ? t.event : `${t.kind}:${t.ms}`));
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) {
    p.add(path, `trigger ${dup.replace(':', ' ')} is listed twice`, node.line);
    return undefined;
  }
  return triggers;
}

function readTrigger(p: Problems, node: PNode, path: string): Trigger | undefined {
  if (node.kind === 'map') {
    if (node.entries.length !== 1) {
      p.add(path, 'a timed trigger is one of { idle: DURATION } or { unacknowledged: DURATION }', node.line);
      return undefined;
    }
    const [entry] = node.entries as [PMap['entries'][number]];
    if (entry.key !== 'idle' && entry.key !== 'unacknowledged') {
      p.add(join(path, entry.key), `unknown timed trigger "${entry.key}"; use { idle: 2h } or { unacknowledged: 30m }`, entry.keyLine);
      return undefined;
    }
    const ms = readPositiveDuration(p, entry.value, join(path, entry.key));
    return ms === undefined ? undefined : { kind: entry.key, ms };
  }
  const event = readEnum<EventTrigger>(p, node, path, EVENT_TRIGGERS, 'trigger');
  return event === undefined ? undefined : { kind: 'event', event };
}

function readActions(p: Problems, node: PNode, path: string, scope: RuleScope): Action[] | undefined {
  const list = asSeq(p, node, path, 'a list of actions');
  if (!list) return undefined;
  if (list.items.length === 0) {
    p.add(path, 'a rule needs at least one action', node.line);
    return undefined;
  }
  const actions: Action[] = [];
  let ok = true;
  list.items.forEach((item, i) => {
    const a = readAction(p, item, at(path, i), scope);
    if (a) actions.push(a);
    else ok = false;
  });
  return ok ? actions : undefined;
}

function readAction(p: Problems, node: PNode, path: string, scope: RuleScope): Action | undefined {
  if (node.kind !== 'map' || node.entries.length !== 1) {
    const found = node.kind === 'map' ? `a map with ${node.entries.length} keys` : describe(node);
    p.add(path, `an action is a map with one key, one of: ${ACTIONS.join(', ')}; found ${found} (write each action as its own list item)`, node.line);
    return undefined;
  }
  const [entry] = node.entries as [PMap['entries'][number]];
  const aPath = join(path, entry.key);
  const v = entry.value;
  switch (entry.key) {
    case 'escalate':
      return readEscalate(p, v, aPath, scope);
    case 'set':
      return readSet(p, v, aPath);
    case 'assign': {
      const to = readAssign(p, v, aPath, scope);
      return to ? { kind: 'assign', to } : undefined;
    }
    case 'notify':
      return readNotify(p, v, aPath, scope);
    case 'add_note': {
      const body = readString(p, v, aPath, 'the note text');
      return body === undefined ? undefined : { kind: 'add_note', body };
    }
    case 'require_acknowledgement': {
      const value = readBoolean(p, v, aPath);
      return value === undefined ? undefined : { kind: 'require_acknowledgement', value };
    }
    default: {
      const near = closest(entry.key, ACTIONS);
      p.add(aPath, `unknown action "${entry.key}"; ${near ? `did you mean "${near}"?` : `actions are: ${ACTIONS.join(', ')}`}`, entry.keyLine);
      return undefined;
    }
  }
}

function readEscalate(p: Problems, node: PNode, path: string, scope: RuleScope): Action | undefined {
  const map = asMap(p, node, path, 'an escalation { to, reason }');
  if (!map) return undefined;
  checkKeys(p, map, path, ['to', 'reason'], ['to', 'reason']);
  const toNode = get(map, 'to');
  const target = toNode ? readEscalateTarget(p, toNode, join(path, 'to'), scope) : undefined;
  const reasonNode = get(map, 'reason');
  const reason = reasonNode ? readEnum(p, reasonNode, join(path, 'reason'), REASONS, 'reason category') : undefined;
  return target && reason ? { kind: 'escalate', target, reason } : undefined;
}

export function readEscalateTarget(p: Problems, node: PNode, path: string, scope: RuleScope): EscalateTarget | undefined {
  if (node.kind === 'scalar' && node.value === 'next_level') return { kind: 'next_level' };
  if (node.kind !== 'map' || node.entries.length !== 1) {
    p.add(path, `expected next_level, { level: ID }, { team: ID } or { skill: NAME }, found ${describe(node)}`, node.line);
    return undefined;
  }
  const [entry] = node.entries as [PMap['entries'][number]];
  const tPath = join(path, entry.key);
  // A Map: the key is the document's, and "constructor" must not find Object's.
  const known = new Map<string, { set: ReadonlySet<string>; what: string }>([
    ['level', { set: scope.levels, what: 'level' }],
    ['team', { set: scope.teams, what: 'team' }],
    ['skill', { set: scope.skills, what: 'skill' }],
  ]);
  const k = known.get(entry.key);
  if (!k) {
    p.add(tPath, `unknown escalation target "${entry.key}"; use next_level, { level: ID }, { team: ID } or { skill: NAME }`, entry.keyLine);
    return undefined;
  }
  const id = readString(p, entry.value, tPath, `a ${entry.key} id`);
  if (id === undefined) return undefined;
  if (!k.set.has(id)) {
    const near = closest(id, [...k.set]);
    const what = entry.key === 'skill' ? `skill "${id}": no team has it` : `${k.what} "${id}"`;
    p.add(tPath, `unknown ${what}; ${near ? `did you mean "${near}"?` : `known: ${[...k.set].join(', ') || '(none)'}`}`, entry.value.line);
    return undefined;
  }
  return entry.key === 'level' ? { kind: 'level', level: id } : entry.key === 'team' ? { kind: 'team', team: id } : { kind: 'skill', skill: id };
}

function readSet(p: Problems, node: PNode, path: string): Action | undefined {
  const map = asMap(p, node, path, 'a map { priority, status, tags }');
  if (!map) return undefined;
  checkKeys(p, map, path, ['priority', 'status', 'tags']);
  if (map.entries.length === 0) {
    p.add(path, 'set needs at least one of priority, status, tags', node.line);
    return undefined;
  }
  const action: Extract<Action, { kind: 'set' }> = { kind: 'set' };
  let ok = true;
  const prNode = get(map, 'priority');
  if (prNode) {
    const v = readEnum(p, prNode, join(path, 'priority'), PRIORITIES, 'priority');
    if (v === undefined) ok = false;
    else action.priority = v;
  }
  const stNode = get(map, 'status');
  if (stNode) {
    const v = readEnum(p, stNode, join(path, 'status'), STATUSES, 'status');
    if (v === 'new') p.add(join(path, 'status'), 'a ticket cannot be moved back to "new"', stNode.line);
    if (v === undefined || v === 'new') ok = false;
    else action.status = v;
  }
  const tagNode = get(map, 'tags');
  if (tagNode) {
    const v = readList(p, tagNode, join(path, 'tags'), 'tags', (n, np) => readString(p, n, np, 'a tag'));
    if (v === undefined) ok = false;
    else action.tags = v;
  }
  return ok && map.entries.every((e) => ['priority', 'status', 'tags'].includes(e.key)) ? action : undefined;
}

function readAssign(p: Problems, node: PNode, path: string, scope: RuleScope): AssignTarget | undefined {
  const s = readString(p, node, path, `an agent's email or one of ${ASSIGN_WORDS.join(', ')}`);
  if (s === undefined) return undefined;
  if ((ASSIGN_WORDS as readonly string[]).includes(s)) return { kind: s as (typeof ASSIGN_WORDS)[number] };
  if (!isEmail(s)) {
    const near = closest(s, ASSIGN_WORDS);
    p.add(path, `cannot assign to "${s}"; ${near ? `did you mean "${near}"? ` : ''}use an agent's email or one of: ${ASSIGN_WORDS.join(', ')}`, node.line);
    return undefined;
  }
  if (!scope.people.has(s)) {
    p.add(path, `agent ${s} is not a member, lead, manager or on-call person of any team`, node.line);
    return undefined;
  }
  return { kind: 'agent', email: s };
}

function readNotify(p: Problems, node: PNode, path: string, scope: RuleScope): Action | undefined {
  const map = asMap(p, node, path, 'a notification { to, template }');
  if (!map) return undefined;
  checkKeys(p, map, path, ['to', 'template'], ['to', 'template']);
  const toNode = get(map, 'to');
  const to = toNode ? readList(p, toNode, join(path, 'to'), 'recipients', (n, np) => readRecipient(p, n, np), true) : undefined;
  if (to && to.length === 0) p.add(join(path, 'to'), 'list at least one recipient', toNode?.line);
  const tNode = get(map, 'template');
  let template = tNode ? readString(p, tNode, join(path, 'template'), 'a template name') : undefined;
  if (template !== undefined && !scope.templates.has(template)) {
    const near = closest(template, [...scope.templates]);
    p.add(join(path, 'template'), `unknown template "${template}"; ${near ? `did you mean "${near}"?` : `known templates: ${[...scope.templates].join(', ')}`}`, tNode?.line);
    template = undefined;
  }
  return to && to.length > 0 && template !== undefined ? { kind: 'notify', to, template } : undefined;
}

function readRecipient(p: Problems, node: PNode, path: string): Recipient | undefined {
  if (node.kind === 'map' && get(node, 'sms')) {
    checkKeys(p, node, path, ['sms'], ['sms']);
    const smsNode = get(node, 'sms');
    if (!smsNode || node.entries.length !== 1) return undefined;
    const to = readString(p, smsNode, join(path, 'sms'), 'a role or a phone number');
    if (to === undefined) return undefined;
    if ((ROLES as readonly string[]).includes(to)) return { kind: 'sms', role: to as RecipientRole, phone: null };
    const phone = to.replace(/[\s().-]/g, '');
    if (PHONE.test(phone)) return { kind: 'sms', role: null, phone };
    p.add(join(path, 'sms'), `"${to}" is neither a role (${ROLES.join(', ')}) nor a phone number in international form (+15551234567)`, smsNode.line);
    return undefined;
  }
  if (node.kind === 'map') {
    checkKeys(p, node, path, ['webhook'], ['webhook']);
    const urlNode = get(node, 'webhook');
    if (!urlNode || node.entries.length !== 1) return undefined;
    const url = readString(p, urlNode, join(path, 'webhook'), 'a webhook URL');
    if (url === undefined) return undefined;
    if (!/^https?:\/\/[^\s/]+/.test(url) || !URL.canParse(url)) {
      p.add(join(path, 'webhook'), `"${url}" is not an http(s) URL`, urlNode.line);
      return undefined;
    }
    return { kind: 'webhook', url };
  }
  const s = readString(p, node, path, 'a recipient');
  if (s === undefined) return undefined;
  if ((ROLES as readonly string[]).includes(s)) return { kind: 'role', role: s as RecipientRole };
  if (isEmail(s)) return { kind: 'address', address: s };
  const near = closest(s, ROLES);
  p.add(path, `unknown recipient "${s}"; ${near ? `did you mean "${near}"? ` : ''}use a role (${ROLES.join(', ')}), an email address, { sms: ROLE or +PHONE } or { webhook: URL }`, node.line);
  return undefined;
}
