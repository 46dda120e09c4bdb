/**
 * The policy as the engine sees it: the YAML/JSON document of the contract (docs/contract.md) §2 after parsing,
 * validation and normalisation (durations in ms, intervals in minutes, day ranges expanded,
 * every reference checked). Nothing here is optional that the engine must not guess.
 */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

export const METRICS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;
export type Metric = (typeof METRICS)[number];

export const REASONS = [
  'technical_complexity',
  'financial_high_value',
  'legal_compliance',
  'customer_request',
  'sla_risk',
  'authority_exceeded',
  'other',
] as const;
export type ReasonCategory = (typeof REASONS)[number];

export const EVENT_TRIGGERS = [
  'ticket.created',
  'ticket.updated',
  'comment.added',
  'status.changed',
  'priority.changed',
  'ticket.assigned',
  'sla.warning',
  'sla.breached',
  'ticket.escalated',
  'ticket.bounced',
  'risk.changed',
] as const;
export type EventTrigger = (typeof EVENT_TRIGGERS)[number];

/** Weekdays, Monday first (index 0 = mon … 6 = sun), as in ISO-8601. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A local wall-clock interval in minutes after local midnight: 0 <= start < end <= 1440. */
export interface Interval {
  start: number;
  end: number;
}

export interface CalendarSpec {
  id: string;
  /** IANA zone, e.g. America/New_York. */
  timezone: string;
  /** `hours: 24x7`: every instant is business time (holidays still apply if listed). */
  alwaysOpen: boolean;
  /** Seven entries, Monday first; each sorted, non-overlapping. Empty when alwaysOpen. */
  week: Interval[][];
  /** Whole local days, `YYYY-MM-DD`. */
  holidays: string[];
}

export interface LevelDef {
  id: string;
  name: string;
  /** Position on the ladder, 0 = lowest. */
  rank: number;
}

export interface OnCallDef {
  rotation: string[];
  /** Weekly handover moment in the team calendar's zone. */
  handover: { weekday: number; minute: number };
  /** `YYYY-MM-DD`: weeks count from the first handover on or after this date. */
  start: string;
}

export interface TeamDef {
  id: string;
  kind: 'hierarchical' | 'functional';
  level: string;
  /** Calendar id; absent means the team keeps no business hours of its own. */
  calendar?: string;
  members: string[];
  lead?: string;
  manager?: string;
  skills: string[];
  onCall?: OnCallDef;
}

export type Threshold =
  | { kind: 'percent'; fraction: number; label: string }
  | { kind: 'before'; ms: number; label: string };

export type Targets = Partial<Record<Priority, Partial<Record<Metric, number>>>>;

export interface SlaPolicyDef {
  id: string;
  when?: ConditionNode;
  calendar: string;
  pauseOn: Status[];
  warnAt: Threshold[];
  /** Target durations in ms of business time, per priority and metric. */
  targets: Targets;
}

export const CONDITION_OPS = ['eq', 'ne', 'in', 'includes', 'matches', 'gt', 'gte', 'lt', 'lte'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export type ConditionNode =
  | { all: ConditionNode[] }
  | { any: ConditionNode[] }
  | { not: ConditionNode }
  /** A leaf; for `matches`, value is the JavaScript RegExp source and flags already translated. */
  | { field: string; op: ConditionOp; value: unknown };

export type Trigger =
  | { kind: 'event'; event: EventTrigger }
  | { kind: 'idle'; ms: number }
  | { kind: 'unacknowledged'; ms: number };

export type EscalateTarget =
  | { kind: 'next_level' }
  | { kind: 'level'; level: string }
  | { kind: 'team'; team: string }
  | { kind: 'skill'; skill: string };

export type RecipientRole = 'assignee' | 'owner' | 'team' | 'team_lead' | 'team_manager' | 'on_call' | 'requester';
export type Recipient =
  | { kind: 'role'; role: RecipientRole }
  | { kind: 'address'; address: string }
  | { kind: 'webhook'; url: string }
  /** `{ sms: ROLE }` (the people's phone numbers on their accounts) or `{ sms: "+15551234567" }`. */
  | { kind: 'sms'; role: RecipientRole | null; phone: string | null };

export type AssignTarget =
  | { kind: 'agent'; email: string }
  | { kind: 'team_lead' }
  | { kind: 'round_robin' }
  | { kind: 'least_loaded' }
  | { kind: 'on_call' };

export type Action =
  | { kind: 'escalate'; target: EscalateTarget; reason: ReasonCategory }
  | { kind: 'set'; priority?: Priority; status?: Status; tags?: string[] }
  | { kind: 'assign'; to: AssignTarget }
  | { kind: 'notify'; to: Recipient[]; template: string }
  | { kind: 'add_note'; body: string }
  | { kind: 'require_acknowledgement'; value: boolean };

export interface RuleDef {
  id: string;
  on: Trigger[];
  if?: ConditionNode;
  do: Action[];
  /** True when any `require_acknowledgement: true` action is listed (wherever it is listed). */
  requireAck: boolean;
  /** `enabled: false` in the document: kept, shown and diffed, but never run. Absent: enabled. */
  enabled?: false;
}

export interface Policy {
  /** The document's format version (`version:` in the file). */
  formatVersion: number;
  calendars: Record<string, CalendarSpec>;
  /** Lowest first. */
  levels: LevelDef[];
  /** In document order (placement uses "the first team of a level"). */
  teams: TeamDef[];
  /** First match applies, in this order. */
  sla: SlaPolicyDef[];
  /** In document order. */
  rules: RuleDef[];
  templates: string[];
  /** `customer_requests:` — where a customer's request goes and how often one escalates (absent: the defaults). */
  customerRequests?: CustomerRequestsDef;
  /** `customer_fields:` — what customers may set when opening a ticket and see of its routing (absent: nothing). */
  customerFields?: CustomerFieldsDef;
  /** The categories a post-resolution review picks its root cause from (`root_causes:`, or the default list). */
  rootCauses: RootCauseDef[];
  /** `playbooks:` — checklists per escalation reason and macros (absent: none). */
  playbooks: PlaybooksDef;
}

export interface ChecklistItemDef {
  id: string;
  text: string;
  /** Must be done before the ticket is solved, closed or de-escalated. */
  required: boolean;
}

/** The steps the receiving team works through when a ticket is escalated for `reason`. */
export interface ChecklistDef {
  /** The reason category (REASONS); doubles as the checklist's id. */
  reason: ReasonCategory;
  title: string;
  items: ChecklistItemDef[];
}

export const MACRO_VISIBILITIES = ['public', 'internal'] as const;
export type MacroVisibility = (typeof MACRO_VISIBILITIES)[number];

/** A named reply: a Liquid body (plain text), public or internal, and what it sets on the ticket. */
export interface MacroDef {
  id: string;
  name: string;
  visibility: MacroVisibility;
  body: string;
  /** `tags` are added to the ticket's tags (never removed). */
  set: { status?: Status; priority?: Priority; tags?: string[] };
}

export interface PlaybooksDef {
  /** In document order. */
  checklists: ChecklistDef[];
  /** In document order. */
  macros: MacroDef[];
}

export const EMPTY_PLAYBOOKS: PlaybooksDef = { checklists: [], macros: [] };

export interface RootCauseDef {
  id: string;
  name: string;
}

/**
 * A customer's request for escalation: it goes to `to`; a further request within `limitMs`
 * (business time of the ticket's SLA calendar) of the last one that escalated, while that one is
 * still unanswered or unacknowledged, is recorded and answered but does not move the ticket.
 */
export interface CustomerRequestsDef {
  to: EscalateTarget;
  limitMs: number;
  requireAck: boolean;
}

export const DEFAULT_CUSTOMER_REQUESTS: CustomerRequestsDef = { to: { kind: 'next_level' }, limitMs: 24 * 3600_000, requireAck: true };

/** Ticket fields a policy may let customers set when they open a ticket (subject, body and attachments always). */
export const CUSTOMER_SETTABLE_FIELDS = ['priority', 'impact', 'urgency', 'category', 'tags'] as const;
export type CustomerSettableField = (typeof CUSTOMER_SETTABLE_FIELDS)[number];
/** Routing facts (and tags, which rules and staff use for triage) a policy may show customers; triage flags never are. */
export const CUSTOMER_PUBLIC_FIELDS = ['team', 'level', 'assignee', 'owner', 'tags'] as const;
export type CustomerPublicField = (typeof CUSTOMER_PUBLIC_FIELDS)[number];

/** `customer_fields:` normalised. `priorityMax` null: any priority (when one of priority/impact/urgency is settable). */
export interface CustomerFieldsDef {
  settable: CustomerSettableField[];
  priorityMax: Priority | null;
  public: CustomerPublicField[];
}

/** The section left out: customers set nothing beyond subject, body and attachments, and see no routing. */
export const DEFAULT_CUSTOMER_FIELDS: CustomerFieldsDef = { settable: [], priorityMax: null, public: [] };

/** One problem found while reading a policy; all are reported at once. */
export interface PolicyProblem {
  /** Path in the document, e.g. `rules[2].do[0].escalate.to.team`. */
  path: string;
  message: string;
  /** 1-based line in the YAML source, when known. */
  line?: number;
}

/**
 * What a rule condition can see (the contract (docs/contract.md) §4 "Fields"). The engine builds one per
 * evaluation; compiled conditions read it directly.
 */
export interface Facts {
  priority: Priority;
  status: Status;
  channel: string;
  category: string | null;
  tags: string[];
  /** Subject + body for ticket triggers; the new comment's body for `comment.added`. */
  text: string;
  level: string;
  team: string;
  organization: { id: string; tier: string; contract_value: number | null };
  sla: { metric: Metric | null; percent_elapsed: number | null };
  reassignments: number;
  team_moves: number;
  bounces: number;
  reopens: number;
  escalations: number;
  risk: Record<string, boolean>;
  /** The latest risk model score (0–1), null when the ticket has none (no model in force). Absent: null. */
  riskScore?: number | null;
  sentiment: number;
}

/** A compiled condition: evaluates fast, and explains (the values each leaf saw) on demand. */
export interface CompiledCondition {
  test(facts: Facts): boolean;
  explain(facts: Facts): { matched: boolean; saw: Array<{ field: string; op: string; expected: unknown; actual: unknown; matched: boolean }> };
}

/** The value of a `matches` leaf: a JavaScript RegExp source and flags, translated from the portable form. */
export interface RegexValue {
  source: string;
  flags: string;
}

/** The risk flags triage sets (the contract (docs/contract.md) §1), readable in conditions as `risk.<flag>`. */
export const RISK_FLAGS = ['legal', 'churn', 'billing', 'security', 'frustration'] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];
