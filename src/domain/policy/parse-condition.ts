/**
 * Conditions (`if:` of a rule, `when:` of an SLA policy). A map whose keys are `all` / `any` /
 * `not` or field names; a field's value is either the value it must equal or `{ OP: VALUE }`.
 * Added construct: a map with several keys (or a field with several operators) means all of
 * them, e.g. `{ priority: urgent, status: open }` or `{ reassignments: { gt: 1, lt: 5 } }`.
 */
import { fieldSpec, OPS_BY_TYPE, CONDITION_FIELDS, type FieldSpec } from './condition-fields.ts';
import { translatePortableRegex } from './portable-regex.ts';
import { at, closest, describe, join, type Problems } from './reader.ts';
import type { PNode, Scalar } from './source-tree.ts';
import { CONDITION_OPS, type ConditionNode, type ConditionOp } from './types.ts';

export interface ConditionScope {
  levels: ReadonlySet<string>;
  teams: ReadonlySet<string>;
}

const COMBINATORS = ['all', 'any', 'not'];

export function readCondition(p: Problems, node: PNode, path: string, scope: ConditionScope): ConditionNode | undefined {
  if (node.kind !== 'map' || node.entries.length === 0) {
    p.add(path, `expected a condition, a map like { priority: urgent } or { all: [...] }, found ${node.kind === 'map' ? 'an empty map' : describe(node)}`, node.line);
    return undefined;
  }
  const parts: ConditionNode[] = [];
  let ok = true;
  for (const entry of node.entries) {
    const ePath = join(path, entry.key);
    const part = COMBINATORS.includes(entry.key)
      ? readCombinator(p, entry.key, entry.value, ePath, scope)
      : readField(p, entry.key, entry.keyLine, entry.value, ePath, scope);
    if (part === undefined) ok = false;
    else parts.push(part);
  }
  if (!ok) return undefined;
  return parts.length === 1 ? parts[0] : { all: parts };
}

function readCombinator(p: Problems, key: string, value: PNode, path: string, scope: ConditionScope): ConditionNode | undefined {
  if (key === 'not') {
    const inner = readCondition(p, value, path, scope);
    return inner ? { not: inner } : undefined;
  }
  if (value.kind !== 'seq' || value.items.length === 0) {
    p.add(path, `"${key}" takes a non-empty list of conditions, found ${value.kind === 'seq' ? 'an empty list' : describe(value)}`, value.line);
    return undefined;
  }
  const items: ConditionNode[] = [];
  let ok = true;
  value.items.forEach((item, i) => {
    const c = readCondition(p, item, at(path, i), scope);
    if (c) items.push(c);
    else ok = false;
  });
  if (!ok) return undefined;
  return key === 'all' ? { all: items } : { any: items };
}

function readField(p: Problems, field: string, keyLine: number, value: PNode, path: string, scope: ConditionScope): ConditionNode | undefined {
  const spec = fieldSpec(field);
  if (!spec) {
    const near = closest(field, [...CONDITION_FIELDS, ...COMBINATORS]);
    const hint = near ? `did you mean "${near}"?` : `fields are: ${CONDITION_FIELDS.join(', ')}; combinators: all, any, not`;
    p.add(path, `unknown condition field "${field}"; ${hint}`, keyLine);
    return undefined;
  }
  if (value.kind === 'seq') {
    p.add(path, `a list is not a value to compare with; to test that ${field} is one of several values write { in: [...] }`, value.line);
    return undefined;
  }
  if (value.kind === 'scalar') {
    const v = readValue(p, spec, field, value, path, scope);
    return v === undefined ? undefined : { field, op: 'eq', value: v };
  }
  if (value.entries.length === 0) {
    p.add(path, `expected a value or { OP: VALUE } with OP one of ${CONDITION_OPS.join(', ')}, found an empty map`, value.line);
    return undefined;
  }
  const leaves: ConditionNode[] = [];
  let ok = true;
  for (const entry of value.entries) {
    const opPath = join(path, entry.key);
    const leaf = readLeaf(p, spec, field, entry.key, entry.keyLine, entry.value, opPath, scope);
    if (leaf) leaves.push(leaf);
    else ok = false;
  }
  if (!ok) return undefined;
  return leaves.length === 1 ? leaves[0] : { all: leaves };
}

function readLeaf(
  p: Problems, spec: FieldSpec, field: string, opText: string, opLine: number, node: PNode, path: string, scope: ConditionScope,
): ConditionNode | undefined {
  if (!(CONDITION_OPS as readonly string[]).includes(opText)) {
    const near = opText === 'contains' ? 'includes' : closest(opText, CONDITION_OPS);
    p.add(path, `unknown operator "${opText}"; ${near ? `did you mean "${near}"? ` : ''}operators are: ${CONDITION_OPS.join(', ')}`, opLine);
    return undefined;
  }
  const op = opText as ConditionOp;
  const allowed = OPS_BY_TYPE[spec.type];
  if (!allowed.includes(op)) {
    const hint = op === 'includes' ? ' (includes tests a list field such as tags; for text use matches)' : '';
    p.add(path, `operator "${op}" does not apply to ${field} (a ${spec.type} field); use one of: ${allowed.join(', ')}${hint}`, opLine);
    return undefined;
  }
  switch (op) {
    case 'matches': {
      if (node.kind !== 'scalar' || typeof node.value !== 'string') {
        p.add(path, `expected a regular expression as text, found ${describe(node)}`, node.line);
        return undefined;
      }
      const re = translatePortableRegex(node.value);
      if (!re.ok) {
        p.add(path, re.message, node.line);
        return undefined;
      }
      return { field, op, value: re.value };
    }
    case 'in': {
      if (node.kind !== 'seq' || node.items.length === 0) {
        p.add(path, `"in" takes a non-empty list of values, found ${node.kind === 'seq' ? 'an empty list' : describe(node)}`, node.line);
        return undefined;
      }
      const values: Scalar[] = [];
      let ok = true;
      node.items.forEach((item, i) => {
        const v = readValue(p, spec, field, item, at(path, i), scope);
        if (v === undefined) ok = false;
        else values.push(v);
      });
      return ok ? { field, op, value: values } : undefined;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const v = readNumberValue(p, field, node, path);
      return v === undefined ? undefined : { field, op, value: v };
    }
    default: {
      const v = readValue(p, spec, field, node, path, scope);
      return v === undefined ? undefined : { field, op, value: v };
    }
  }
}

/** A single comparison value fitting the field's type (null only where the fact can be null). */
function readValue(p: Problems, spec: FieldSpec, field: string, node: PNode, path: string, scope: ConditionScope): Scalar | undefined {
  if (node.kind !== 'scalar') {
    p.add(path, `expected a single value for ${field}, found ${describe(node)}`, node.line);
    return undefined;
  }
  const v = node.value;
  if (v === null) {
    if (spec.nullable) return null;
    p.add(path, `${field} always has a value; comparing it with nothing (null) is never meaningful`, node.line);
    return undefined;
  }
  switch (spec.type) {
    case 'number':
      return readNumberValue(p, field, node, path);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      p.add(path, `${field} is true or false, found ${describe(node)}`, node.line);
      return undefined;
    case 'string':
    case 'list':
      if (typeof v === 'string') return v;
      if (typeof v === 'number') return String(v);
      p.add(path, `expected a text value for ${field}, found ${describe(node)}`, node.line);
      return undefined;
    case 'enum': {
      const allowed = spec.values === 'levels' ? [...scope.levels] : spec.values === 'teams' ? [...scope.teams] : (spec.values ?? []);
      if (typeof v === 'string' && allowed.includes(v)) return v;
      const what = spec.values === 'levels' ? 'level' : spec.values === 'teams' ? 'team' : field;
      const near = typeof v === 'string' ? closest(v, allowed) : undefined;
      const shown = typeof v === 'string' ? `"${v}"` : describe(node);
      p.add(path, `unknown ${what} ${shown}; ${near ? `did you mean "${near}"?` : `expected one of: ${allowed.join(', ') || '(none defined)'}`}`, node.line);
      return undefined;
    }
  }
}

/** A number; `sla.percent_elapsed` also takes `"80%"` (meaning 80). */
function readNumberValue(p: Problems, field: string, node: PNode, path: string): number | undefined {
  if (node.kind === 'scalar') {
    if (typeof node.value === 'number' && Number.isFinite(node.value)) return node.value;
    if (field === 'sla.percent_elapsed' && typeof node.value === 'string') {
      const m = /^(\d+(?:\.\d+)?)%$/.exec(node.value);
      if (m) return Number(m[1]);
    }
  }
  p.add(path, `expected a number for ${field}, found ${describe(node)}`, node.line);
  return undefined;
}
