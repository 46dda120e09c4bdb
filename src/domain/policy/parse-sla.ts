/**
 * `sla:` — SLA policies in match order: id, optional `when` condition, calendar, `pause_on`
 * (default pending, on_hold), `warn_at` thresholds (`75%` of the target, or a duration before
 * due) and targets per priority and metric (positive durations).
 */
import { parseDuration } from '../duration.ts';
import { readCondition, type ConditionScope } from './parse-condition.ts';
import { asMap, asSeq, at, checkKeys, get, join, readEnum, readList, readString, describe, closest, type Problems } from './reader.ts';
import type { PNode } from './source-tree.ts';
import { METRICS, PRIORITIES, STATUSES, type Metric, type Priority, type SlaPolicyDef, type Status, type Targets, type Threshold } from './types.ts';

const SLA_KEYS = ['id', 'when', 'calendar', 'pause_on', 'warn_at', 'targets'] as const;
const DEFAULT_PAUSE: Status[] = ['pending', 'on_hold'];

export function readSlaPolicies(
  p: Problems, node: PNode | undefined, path: string, calendarIds: ReadonlySet<string>, scope: ConditionScope,
): SlaPolicyDef[] {
  const out: SlaPolicyDef[] = [];
  if (!node) return out;
  const list = asSeq(p, node, path, 'a list of SLA policies (first match applies)');
  if (!list) return out;
  const seen = new Set<string>();
  list.items.forEach((item, i) => {
    const sPath = at(path, i);
    const map = asMap(p, item, sPath, 'an SLA policy { id, when, calendar, targets, ... }');
    if (!map) return;
    checkKeys(p, map, sPath, SLA_KEYS, ['id', 'calendar', 'targets']);
    let ok = true;
    const idNode = get(map, 'id');
    const id = idNode ? readString(p, idNode, join(sPath, 'id'), 'an SLA policy id') : undefined;
    if (id !== undefined && seen.has(id)) {
      p.add(join(sPath, 'id'), `duplicate SLA policy id "${id}"`, idNode?.line);
      ok = false;
    }
    if (id !== undefined) seen.add(id);
    const whenNode = get(map, 'when');
    const when = whenNode ? readCondition(p, whenNode, join(sPath, 'when'), scope) : undefined;
    if (whenNode && !when) ok = false;
    const calNode = get(map, 'calendar');
    let calendar = calNode ? readString(p, calNode, join(sPath, 'calendar'), 'a calendar id') : undefined;
    if (calendar !== undefined && !calendarIds.has(calendar)) {
      p.add(join(sPath, 'calendar'), `unknown calendar "${calendar}"; the calendars are: ${[...calendarIds].join(', ') || '(none defined)'}`, calNode?.line);
      calendar = undefined;
    }
    const pauseNode = get(map, 'pause_on');
    const pauseOn = pauseNode
      ? readList(p, pauseNode, join(sPath, 'pause_on'), 'statuses', (n, np) => readEnum(p, n, np, STATUSES, 'status'))
      : [...DEFAULT_PAUSE];
    const warnNode = get(map, 'warn_at');
    const warnAt = warnNode ? readList(p, warnNode, join(sPath, 'warn_at'), 'thresholds like "75%" or "10m"', (n, np) => readThreshold(p, n, np), true) : [];
    const targetsNode = get(map, 'targets');
    const targets = targetsNode ? readTargets(p, targetsNode, join(sPath, 'targets')) : undefined;
    if (!ok || id === undefined || calendar === undefined || !pauseOn || !warnAt || !targets) return;
    const def: SlaPolicyDef = { id, calendar, pauseOn: [...new Set(pauseOn)], warnAt, targets };
    if (when) def.when = when;
    out.push(def);
  });
  return out;
}

const PERCENT = /^(\d+(?:\.\d+)?)%$/;

function readThreshold(p: Problems, node: PNode, path: string): Threshold | undefined {
  const s = node.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
  if (s === undefined) {
    p.add(path, `expected a threshold like "75%" (of the target) or "10m" (before due), found ${describe(node)}`, node.line);
    return undefined;
  }
  const pct = PERCENT.exec(s);
  if (pct) {
    const value = Number(pct[1]);
    if (value > 0 && value < 100) return { kind: 'percent', fraction: value / 100, label: s };
    p.add(path, `threshold "${s}" must be above 0% and below 100% (a breach fires at 100%)`, node.line);
    return undefined;
  }
  const ms = parseDuration(s);
  if (ms !== null && ms > 0) return { kind: 'before', ms, label: s };
  p.add(path, `"${s}" is not a threshold; write a percentage of the target like "75%" or a time before due like "10m"`, node.line);
  return undefined;
}

function readTargets(p: Problems, node: PNode, path: string): Targets | undefined {
  const map = asMap(p, node, path, 'a map of priorities to { metric: duration }');
  if (!map) return undefined;
  const targets: Targets = {};
  let ok = true;
  for (const entry of map.entries) {
    const prPath = join(path, entry.key);
    if (!(PRIORITIES as readonly string[]).includes(entry.key)) {
      const near = closest(entry.key, PRIORITIES);
      p.add(prPath, `unknown priority "${entry.key}"; ${near ? `did you mean "${near}"?` : `expected one of: ${PRIORITIES.join(', ')}`}`, entry.keyLine);
      ok = false;
      continue;
    }
    const metrics = asMap(p, entry.value, prPath, 'a map of SLA metrics to durations, e.g. { first_response: 1h }');
    if (!metrics) {
      ok = false;
      continue;
    }
    const perMetric: Partial<Record<Metric, number>> = {};
    for (const m of metrics.entries) {
      const mPath = join(prPath, m.key);
      if (!(METRICS as readonly string[]).includes(m.key)) {
        const near = closest(m.key, METRICS);
        p.add(mPath, `unknown SLA metric "${m.key}"; ${near ? `did you mean "${near}"?` : `expected one of: ${METRICS.join(', ')}`}`, m.keyLine);
        ok = false;
        continue;
      }
      const ms = readPositiveDuration(p, m.value, mPath);
      if (ms === undefined) ok = false;
      else perMetric[m.key as Metric] = ms;
    }
    targets[entry.key as Priority] = perMetric;
  }
  if (ok && map.entries.length === 0) {
    p.add(path, 'no targets: give at least one priority with a metric, e.g. urgent: { first_response: 1h }', node.line);
    return undefined;
  }
  return ok ? targets : undefined;
}

export function readPositiveDuration(p: Problems, node: PNode, path: string): number | undefined {
  const s = node.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
  const ms = s === undefined ? null : parseDuration(s);
  if (ms !== null && ms > 0) return ms;
  const found = s === undefined ? describe(node) : `"${s}"`;
  p.add(path, `${found} is not a duration; write a positive duration like 30s, 15m, 4h, 1d or 1h30m`, node.line);
  return undefined;
}
