/**
 * The quick-reference guide (pure): one page generated from the policy in force — who handles
 * what (levels and their teams: members, lead, manager, skills), when a ticket escalates and to
 * whom (every rule in words: trigger, condition, actions; where a customer's own request goes),
 * response targets per tier and the hours and holidays (domain/support-hours.ts), who is on call
 * now (Matrix.onCall, the engine's own rotation arithmetic) and the checklists of the policy's
 * playbooks (`playbooks.checklists`), per escalation reason.
 */
import { formatDuration } from './duration.ts';
import { Matrix } from './engine/matrix.ts';
import { DEFAULT_CUSTOMER_REQUESTS, type Action, type ConditionNode, type EscalateTarget, type Policy, type Recipient, type Trigger } from './policy/types.ts';
import { describeSupportHours, type SupportHours } from './support-hours.ts';

export interface QuickReferenceTeam {
  id: string;
  kind: 'hierarchical' | 'functional';
  calendar: string | null;
  members: string[];
  lead: string | null;
  manager: string | null;
  skills: string[];
  on_call: { now: string | null; rotation: string[] } | null;
}

export interface QuickReferenceRule {
  id: string;
  when: string;
  condition: string | null;
  does: string[];
  escalates_to: string | null;
  reason: string | null;
  requires_acknowledgement: boolean;
}

export interface Checklist {
  /** The reason category the checklist belongs to. */
  id: string;
  title: string;
  items: Array<{ text: string; required: boolean }>;
}

export interface QuickReference {
  policy_version: number | null;
  generated_at: string;
  levels: Array<{ id: string; name: string; teams: QuickReferenceTeam[] }>;
  rules: QuickReferenceRule[];
  customer_requests: { to: string; limit: string; requires_acknowledgement: boolean } | null;
  support: SupportHours;
  checklists: Checklist[];
}

export function targetText(t: EscalateTarget): string {
  switch (t.kind) {
    case 'next_level':
      return 'the next level up';
    case 'level':
      return `level ${t.level}`;
    case 'team':
      return `team ${t.team}`;
    case 'skill':
      return `the team with skill ${t.skill}`;
  }
}

function triggerText(t: Trigger): string {
  if (t.kind === 'idle') return `idle for ${formatDuration(t.ms)}`;
  if (t.kind === 'unacknowledged') return `escalation unacknowledged for ${formatDuration(t.ms)}`;
  return t.event;
}

function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (v && typeof v === 'object' && 'source' in v) return `/${String((v as { source: unknown }).source)}/`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const OPS: Record<string, string> = { eq: 'is', ne: 'is not', in: 'is one of', includes: 'includes', matches: 'matches', gt: '>', gte: '≥', lt: '<', lte: '≤' };

export function conditionText(n: ConditionNode): string {
  if ('all' in n) return n.all.map((c) => ('any' in c ? `(${conditionText(c)})` : conditionText(c))).join(' and ');
  if ('any' in n) return n.any.map((c) => ('all' in c ? `(${conditionText(c)})` : conditionText(c))).join(' or ');
  if ('not' in n) return `not (${conditionText(n.not)})`;
  return `${n.field} ${OPS[n.op] ?? n.op} ${valueText(n.value)}`;
}

function recipientText(r: Recipient): string {
  if (r.kind === 'role') return r.role.replace(/_/g, ' ');
  if (r.kind === 'address') return r.address;
  if (r.kind === 'webhook') return 'a webhook';
  return `SMS to ${r.role ?? r.phone ?? ''}`;
}

function actionText(a: Action): string {
  switch (a.kind) {
    case 'escalate':
      return `escalate to ${targetText(a.target)} (${a.reason})`;
    case 'set':
      return `set ${[a.priority && `priority ${a.priority}`, a.status && `status ${a.status}`, a.tags && `tags ${a.tags.join(', ')}`].filter(Boolean).join(', ')}`;
    case 'assign':
      return `assign to ${a.to.kind === 'agent' ? a.to.email : a.to.kind.replace(/_/g, ' ')}`;
    case 'notify':
      return `notify ${a.to.map(recipientText).join(', ')} (${a.template})`;
    case 'add_note':
      return `add the note "${a.body}"`;
    case 'require_acknowledgement':
      return 'require acknowledgement';
  }
}

/** The policy's checklists (`playbooks.checklists`), per escalation reason, in document order. */
export function checklistsOf(policy: Policy): Checklist[] {
  return policy.playbooks.checklists.map((c) => ({ id: c.reason, title: c.title, items: c.items.map((i) => ({ text: i.text, required: i.required })) }));
}

export function buildQuickReference(policy: Policy | null, version: number | null, now: number): QuickReference {
  const generated_at = new Date(now).toISOString();
  if (!policy || version === null) {
    return { policy_version: null, generated_at, levels: [], rules: [], customer_requests: null, support: { policy_version: null, calendars: [], tiers: [] }, checklists: [] };
  }
  const matrix = new Matrix(policy, (cal) => (cal ? policy.calendars[cal]?.timezone : undefined) ?? 'UTC');
  const levels = policy.levels.map((l) => ({
    id: l.id,
    name: l.name,
    teams: policy.teams
      .filter((t) => t.level === l.id)
      .map(
        (t): QuickReferenceTeam => ({
          id: t.id,
          kind: t.kind,
          calendar: t.calendar ?? null,
          members: t.members,
          lead: t.lead ?? null,
          manager: t.manager ?? null,
          skills: t.skills,
          on_call: t.onCall ? { now: matrix.onCall(t.id, now), rotation: t.onCall.rotation } : null,
        }),
      ),
  }));
  // A disabled rule (`enabled: false`) never runs: agents are not told about it.
  const rules = policy.rules.filter((r) => r.enabled !== false).map((r): QuickReferenceRule => {
    const esc = r.do.find((a): a is Extract<Action, { kind: 'escalate' }> => a.kind === 'escalate');
    return {
      id: r.id,
      when: r.on.map(triggerText).join(' or '),
      condition: r.if ? conditionText(r.if) : null,
      does: r.do.filter((a) => a.kind !== 'require_acknowledgement').map(actionText),
      escalates_to: esc ? targetText(esc.target) : null,
      reason: esc ? esc.reason : null,
      requires_acknowledgement: r.requireAck,
    };
  });
  const cr = policy.customerRequests ?? DEFAULT_CUSTOMER_REQUESTS;
  return {
    policy_version: version,
    generated_at,
    levels,
    rules,
    customer_requests: { to: targetText(cr.to), limit: formatDuration(cr.limitMs), requires_acknowledgement: cr.requireAck },
    support: describeSupportHours(policy, version, now),
    checklists: checklistsOf(policy),
  };
}
