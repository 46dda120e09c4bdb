/**
 * The active policy as the console needs it: parsed client-side from GET /policy's YAML
 * source, tolerant of shapes it does not know (the server has validated the document).
 */
import { parse } from 'yaml';

export interface PolicyLevel {
  id: string;
  name: string;
}
export interface OnCall {
  rotation: string[];
  handover?: string;
  start?: string;
}
export interface PolicyTeam {
  id: string;
  level: string;
  kind: 'hierarchical' | 'functional';
  calendar?: string;
  members: string[];
  lead?: string;
  manager?: string;
  skills: string[];
  onCall?: OnCall;
}
export interface PolicyRule {
  id: string;
  on: unknown;
  if?: unknown;
  do: unknown[];
}
export interface PolicySla {
  id: string;
  warnAt: string[];
  calendar?: string;
  when?: unknown;
}
export interface PolicyModel {
  levels: PolicyLevel[];
  teams: PolicyTeam[];
  rules: PolicyRule[];
  sla: PolicySla[];
  templates: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str).filter((x): x is string => x !== undefined) : []);

export function parsePolicy(source: string): PolicyModel {
  const doc: unknown = parse(source);
  const d = isObj(doc) ? doc : {};
  const levels = (Array.isArray(d.levels) ? d.levels : []).map((l, i): PolicyLevel => {
    if (isObj(l)) return { id: str(l.id) ?? `level-${i}`, name: str(l.name) ?? str(l.id) ?? '' };
    return { id: str(l) ?? `level-${i}`, name: str(l) ?? '' };
  });
  const teams = Object.entries(isObj(d.teams) ? d.teams : {}).map(([id, t]): PolicyTeam => {
    const o = isObj(t) ? t : {};
    const oc = isObj(o.on_call) ? o.on_call : null;
    const team: PolicyTeam = {
      id,
      level: str(o.level) ?? '',
      kind: o.kind === 'functional' ? 'functional' : 'hierarchical',
      members: strs(o.members),
      skills: strs(o.skills),
    };
    if (str(o.calendar)) team.calendar = str(o.calendar);
    if (str(o.lead)) team.lead = str(o.lead);
    if (str(o.manager)) team.manager = str(o.manager);
    if (oc) team.onCall = { rotation: strs(oc.rotation), ...(str(oc.handover) && { handover: str(oc.handover) }), ...(str(oc.start) && { start: str(oc.start) }) };
    return team;
  });
  const rules = (Array.isArray(d.rules) ? d.rules : []).filter(isObj).map((r, i): PolicyRule => ({ id: str(r.id) ?? `rule-${i + 1}`, on: r.on, if: r.if, do: Array.isArray(r.do) ? r.do : [] }));
  const sla = (Array.isArray(d.sla) ? d.sla : []).filter(isObj).map((s, i): PolicySla => ({
    id: str(s.id) ?? `sla-${i + 1}`,
    warnAt: strs(s.warn_at),
    ...(str(s.calendar) && { calendar: str(s.calendar) }),
    ...(s.when !== undefined && { when: s.when }),
  }));
  return { levels, teams, rules, sla, templates: strs(d.templates) };
}

/** The teams a person works in (member, lead or manager), by email. */
export function teamsOf(model: PolicyModel, email: string): PolicyTeam[] {
  const e = email.toLowerCase();
  const has = (x: string | undefined) => x?.toLowerCase() === e;
  return model.teams.filter((t) => t.members.some(has) || has(t.lead) || has(t.manager));
}

/** Where an escalate action sends a ticket, in words; with the target team ids when known. */
export interface Move {
  rule: string;
  trigger: string;
  condition: string;
  target: string;
  targetLevel?: string;
  targetTeam?: string;
  reason?: string;
  requiresAck: boolean;
}

export function describeTrigger(on: unknown): string {
  if (typeof on === 'string') return on;
  if (Array.isArray(on)) return on.map(describeTrigger).join(' or ');
  if (isObj(on)) return Object.entries(on).map(([k, v]) => `${k} ${str(v) ?? ''}`.trim()).join(', ');
  return '?';
}

export function describeCondition(c: unknown): string {
  if (c === undefined || c === null) return 'always';
  if (!isObj(c)) return String(c);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(c)) {
    if (k === 'all' || k === 'any') parts.push(`${k === 'all' ? 'all of' : 'any of'} (${(Array.isArray(v) ? v : []).map(describeCondition).join('; ')})`);
    else if (k === 'not') parts.push(`not (${describeCondition(v)})`);
    else if (isObj(v)) parts.push(Object.entries(v).map(([op, x]) => `${k} ${op} ${Array.isArray(x) ? x.join('|') : (str(x) ?? JSON.stringify(x))}`).join(', '));
    else parts.push(`${k} = ${str(v) ?? JSON.stringify(v)}`);
  }
  return parts.join(', ');
}

/** Every escalation the rules can make, resolved against the levels and teams. */
export function moves(model: PolicyModel): Move[] {
  const out: Move[] = [];
  for (const r of model.rules) {
    const requiresAck = r.do.some((a) => isObj(a) && a.require_acknowledgement === true) || (isObj(r.on) && 'unacknowledged' in r.on);
    for (const a of r.do) {
      if (!isObj(a) || !('escalate' in a)) continue;
      const e = isObj(a.escalate) ? a.escalate : {};
      const to = e.to;
      const move: Move = { rule: r.id, trigger: describeTrigger(r.on), condition: describeCondition(r.if), target: '', requiresAck };
      const reason = str(e.reason);
      if (reason) move.reason = reason;
      if (to === 'next_level' || to === undefined) move.target = 'next level';
      else if (isObj(to) && str(to.team)) {
        move.targetTeam = str(to.team);
        move.target = `team ${move.targetTeam}`;
      } else if (isObj(to) && str(to.level)) {
        move.targetLevel = str(to.level);
        move.target = `level ${move.targetLevel}`;
      } else if (isObj(to) && str(to.skill)) {
        const skill = str(to.skill) ?? '';
        const team = model.teams.find((t) => t.skills.includes(skill));
        if (team) move.targetTeam = team.id;
        move.target = `skill ${skill}${team ? ` (${team.id})` : ''}`;
      } else move.target = JSON.stringify(to);
      out.push(move);
    }
  }
  return out;
}

/** The number of warning thresholds of an SLA policy (by id); null when unknown. */
export function warningsOf(model: PolicyModel | null, slaId: string | null): number | null {
  if (!model || !slaId) return null;
  const s = model.sla.find((x) => x.id === slaId);
  return s ? s.warnAt.length : null;
}
