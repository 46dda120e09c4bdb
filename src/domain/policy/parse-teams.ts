/**
 * `levels:` (the ladder, lowest first; rank = position) and `teams:` (id → level, kind,
 * calendar, members, lead, manager, skills, on_call rotation).
 */
import { parseClock } from './parse-calendars.ts';
import {
  asMap, asSeq, at, checkKeys, get, join, readDate, readEmail, readEnum, readList, readString, type Problems,
} from './reader.ts';
import type { PNode } from './source-tree.ts';
import { WEEKDAYS, type LevelDef, type OnCallDef, type TeamDef, type Weekday } from './types.ts';

export interface LevelsRead {
  levels: LevelDef[];
  ids: Set<string>;
  /** Where each level is written: its path and line. */
  where: Map<string, { path: string; line: number }>;
}

export function readLevels(p: Problems, node: PNode | undefined, path: string): LevelsRead {
  const levels: LevelDef[] = [];
  const ids = new Set<string>();
  const where = new Map<string, { path: string; line: number }>();
  if (!node) return { levels, ids, where }; // reported as a missing required field
  const list = asSeq(p, node, path, 'a list of levels, lowest first');
  if (!list) return { levels, ids, where };
  if (list.items.length === 0) p.add(path, 'at least one level is needed', node.line);
  list.items.forEach((item, i) => {
    const lPath = at(path, i);
    const map = asMap(p, item, lPath, 'a level { id, name }');
    if (!map) return;
    checkKeys(p, map, lPath, ['id', 'name'], ['id']);
    const idNode = get(map, 'id');
    const id = idNode ? readString(p, idNode, join(lPath, 'id'), 'a level id') : undefined;
    const nameNode = get(map, 'name');
    const name = nameNode ? readString(p, nameNode, join(lPath, 'name'), 'a level name') : id;
    if (id === undefined) return;
    if (ids.has(id)) {
      p.add(join(lPath, 'id'), `duplicate level id "${id}"`, idNode?.line);
      return;
    }
    ids.add(id);
    where.set(id, { path: lPath, line: item.line });
    levels.push({ id, name: name ?? id, rank: levels.length });
  });
  return { levels, ids, where };
}

const TEAM_KEYS = ['kind', 'level', 'calendar', 'members', 'lead', 'manager', 'skills', 'on_call'] as const;

export interface TeamsRead {
  teams: TeamDef[];
  ids: Set<string>;
  skills: Set<string>;
  /** Everyone the policy names in a team: members, leads, managers, rotations. */
  people: Set<string>;
  /** Levels that have at least one hierarchical team (counted even when the team has other problems). */
  staffed: Set<string>;
}

export function readTeams(
  p: Problems,
  node: PNode | undefined,
  path: string,
  levelIds: ReadonlySet<string>,
  calendarIds: ReadonlySet<string>,
): TeamsRead {
  const out: TeamsRead = { teams: [], ids: new Set(), skills: new Set(), people: new Set(), staffed: new Set() };
  if (!node) return out; // reported as a missing required field
  const map = asMap(p, node, path, 'a map of team ids to teams');
  if (!map) return out;
  for (const entry of map.entries) {
    out.ids.add(entry.key);
    const tPath = join(path, entry.key);
    // The API lists several teams as `team=a,b`.
    if (entry.key.includes(',')) p.add(tPath, `a team id cannot contain a comma ("${entry.key}"); write it without one, e.g. "${entry.key.replace(/,/g, '-')}"`, entry.keyLine);
    const t = asMap(p, entry.value, tPath, 'a team { level, members, ... }');
    if (!t) continue;
    checkKeys(p, t, tPath, TEAM_KEYS, ['level']);
    let ok = true;
    const need = <T>(v: T | undefined): T | undefined => {
      if (v === undefined) ok = false;
      return v;
    };
    const opt = <T>(key: string, read: (n: PNode, path: string) => T | undefined): T | undefined => {
      const n = get(t, key);
      return n ? need(read(n, join(tPath, key))) : undefined;
    };

    const kind = opt('kind', (n, np) => readEnum(p, n, np, ['hierarchical', 'functional'] as const, 'team kind')) ?? 'hierarchical';
    const level = opt('level', (n, np) => {
      const id = readString(p, n, np, 'a level id');
      if (id !== undefined && !levelIds.has(id)) {
        p.add(np, `unknown level "${id}"; the levels are: ${[...levelIds].join(', ') || '(none defined)'}`, n.line);
        return undefined;
      }
      return id;
    });
    const calendar = opt('calendar', (n, np) => {
      const id = readString(p, n, np, 'a calendar id');
      if (id !== undefined && !calendarIds.has(id)) {
        p.add(np, `unknown calendar "${id}"; the calendars are: ${[...calendarIds].join(', ') || '(none defined)'}`, n.line);
        return undefined;
      }
      return id;
    });
    const members = opt('members', (n, np) => readList(p, n, np, 'email addresses', (i, ip) => readEmail(p, i, ip))) ?? [];
    const lead = opt('lead', (n, np) => readEmail(p, n, np));
    const manager = opt('manager', (n, np) => readEmail(p, n, np));
    const skills = opt('skills', (n, np) => readList(p, n, np, 'skill names', (i, ip) => readString(p, i, ip, 'a skill name'))) ?? [];
    const onCall = opt('on_call', (n, np) => readOnCall(p, n, np));
    if (onCall && calendar === undefined && !get(t, 'calendar')) {
      p.add(join(tPath, 'on_call'), 'an on_call rotation needs the team to have a calendar: its time zone sets the handover moment', get(t, 'on_call')?.line);
      ok = false;
    }
    for (const person of [...members, lead, manager, ...(onCall?.rotation ?? [])]) if (person) out.people.add(person);
    for (const s of skills) out.skills.add(s);
    if (level !== undefined && kind === 'hierarchical') out.staffed.add(level);
    if (!ok || level === undefined) continue;
    const team: TeamDef = { id: entry.key, kind, level, members, skills };
    if (calendar !== undefined) team.calendar = calendar;
    if (lead !== undefined) team.lead = lead;
    if (manager !== undefined) team.manager = manager;
    if (onCall !== undefined) team.onCall = onCall;
    out.teams.push(team);
  }
  return out;
}

const HANDOVER = /^([a-z]{3})\s+(\d{1,2}:\d{2})$/;

function readOnCall(p: Problems, node: PNode, path: string): OnCallDef | undefined {
  const map = asMap(p, node, path, 'an on_call rotation { rotation, handover, start }');
  if (!map) return undefined;
  checkKeys(p, map, path, ['rotation', 'handover', 'start'], ['rotation', 'handover', 'start']);
  const rNode = get(map, 'rotation');
  const rotation = rNode ? readList(p, rNode, join(path, 'rotation'), 'email addresses', (i, ip) => readEmail(p, i, ip)) : undefined;
  if (rotation && rotation.length === 0) {
    p.add(join(path, 'rotation'), 'the rotation is empty; list at least one person', rNode?.line);
  }
  const hNode = get(map, 'handover');
  let handover: OnCallDef['handover'] | undefined;
  if (hNode) {
    const s = readString(p, hNode, join(path, 'handover'), 'a weekly moment like "mon 09:00"');
    const m = s === undefined ? null : HANDOVER.exec(s.trim().toLowerCase());
    const weekday = m ? WEEKDAYS.indexOf(m[1] as Weekday) : -1;
    const minute = m ? parseClock(m[2] ?? '') : null;
    if (s !== undefined && (weekday < 0 || minute === null)) {
      p.add(join(path, 'handover'), `"${s}" is not a weekly moment; write a weekday and a 24-hour time, e.g. "mon 09:00"`, hNode.line);
    } else if (minute !== null && weekday >= 0) {
      handover = { weekday, minute };
    }
  }
  const sNode = get(map, 'start');
  const start = sNode ? readDate(p, sNode, join(path, 'start')) : undefined;
  if (!rotation || rotation.length === 0 || !handover || start === undefined) return undefined;
  return { rotation, handover, start };
}

/** Every level needs a hierarchical team: placement and `next_level` land on the first one. */
export function checkLevelsStaffed(p: Problems, levels: LevelsRead, staffed: ReadonlySet<string>): void {
  for (const level of levels.levels) {
    if (staffed.has(level.id)) continue;
    const where = levels.where.get(level.id);
    p.add(
      where?.path ?? 'levels',
      `level "${level.id}" has no hierarchical team; tickets placed at or escalated to this level would have nowhere to go (add a team with level: ${level.id})`,
      where?.line,
    );
  }
}
