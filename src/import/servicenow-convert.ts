/**
 * ServiceNow incident event log → Escalon workload (the contract (docs/contract.md) §6). Pure: rows in, lines out.
 *
 * The log ("Incident management process enriched event log", see examples/data/README.md) has
 * one row per update of an incident, with the incident's whole state after the update. We
 * replay it as a ticket's history:
 *
 * - The incident's rows are put in time order (`sys_updated_at`; rows of the same minute keep
 *   file order — `sys_mod_count` is not reliable in the log, a few incidents repeat or
 *   reorder it).
 * - `ticket.created` at the earlier of `opened_at` and the first update (a few incidents were
 *   updated before their recorded opening), carrying the first row's priority, location (as the
 *   organization, tier `standard`), category, contact type (channel), caller (requester),
 *   assignee and assignment group (`group`), a subject and body made from the category /
 *   subcategory / symptom fields (the log has no text), and as `tags` the impact, urgency,
 *   subcategory, symptom and configuration item (`impact:2`, `subcategory:174`, `ci:31`).
 * - Each later row emits what it changed, at its `sys_updated_at`: `status.changed` (state
 *   mapped below), `priority.changed`, `ticket.assigned` for a new non-empty `assigned_to` and
 *   for a new non-empty assignment group. The group is ServiceNow's own (`group`, an Escalon
 *   extension of the workload format that the simulator ignores: no team of a policy is
 *   invented from it); a group change alone is a `ticket.assigned` naming the unchanged
 *   assignee (null if none yet) and the new `group`.
 * - A change the workload format cannot carry is counted and skipped: an unassignment, a
 *   group cleared (`?`), a new category / location / caller; so is everything after `Closed`
 *   (closed is final) and a row that changes nothing.
 *
 * States: New and Active → `open`, except that a New row on a ticket that has never left `new`
 * changes nothing (the engine's tickets are created `new`; ServiceNow's New is the same thing);
 * Awaiting User (Info) → `pending`; Awaiting Vendor / Problem / Evidence → `on_hold`;
 * Resolved → `solved`; Closed → `closed`. Instants in the log are read as UTC.
 */

export type WorkloadPriority = 'urgent' | 'high' | 'normal' | 'low';
export type WorkloadStatus = 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';

export interface CreatedLine {
  at: string;
  type: 'ticket.created';
  ticket: string;
  priority: WorkloadPriority;
  organization: { id: string; tier: 'standard' };
  subject: string;
  body: string;
  channel: string;
  tags?: string[];
  category?: string;
  requester?: string;
  assignee?: string;
  /** ServiceNow's assignment group (informational; the simulator ignores it). */
  group?: string;
}
export interface StatusLine {
  at: string;
  type: 'status.changed';
  ticket: string;
  status: WorkloadStatus;
}
export interface PriorityLine {
  at: string;
  type: 'priority.changed';
  ticket: string;
  priority: WorkloadPriority;
}
export interface AssignedLine {
  at: string;
  type: 'ticket.assigned';
  ticket: string;
  /** The new assignee, or the unchanged one (null: none yet) when only `group` changes. */
  assignee: string | null;
  /** The new assignment group, when it changed. */
  group?: string;
}
export type WorkloadLine = CreatedLine | StatusLine | PriorityLine | AssignedLine;

/** One row of the log, with the fields the importer reads, already checked. */
export interface IncidentRow {
  /** Line in the source file, for messages. */
  line: number;
  number: string;
  state: string;
  priority: WorkloadPriority;
  updatedAt: number;
  openedAt: number;
  /** `undefined` where the log says `?`. */
  assignedTo: string | undefined;
  assignmentGroup: string | undefined;
  location: string | undefined;
  category: string | undefined;
  subcategory: string | undefined;
  symptom: string | undefined;
  configurationItem: string | undefined;
  contactType: string | undefined;
  caller: string | undefined;
  impact: string | undefined;
  urgency: string | undefined;
  madeSla: boolean;
}

export const STATE_MAP: Readonly<Record<string, WorkloadStatus>> = {
  New: 'open',
  Active: 'open',
  'Awaiting User': 'pending',
  'Awaiting User Info': 'pending',
  'Awaiting Vendor': 'on_hold',
  'Awaiting Problem': 'on_hold',
  'Awaiting Evidence': 'on_hold',
  Resolved: 'solved',
  Closed: 'closed',
};

export const SKIP_REASONS = ['no_change', 'after_closed', 'unmapped_change_only'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const IGNORED_CHANGES = ['unassigned', 'group_cleared', 'category', 'location', 'caller'] as const;
export type IgnoredChange = (typeof IGNORED_CHANGES)[number];

export interface ConversionStats {
  incidents: number;
  rows: number;
  lines: Record<WorkloadLine['type'], number>;
  /** Rows (other than each incident's first) that produced no line, by reason. */
  skippedRows: Record<SkipReason, number>;
  /** Field changes found in the log that the workload format cannot carry. */
  ignoredChanges: Record<IgnoredChange, number>;
  /** Assignment-group changes carried on `ticket.assigned` lines: with a new assignee, or alone. */
  groupChanges: { withAssignee: number; alone: number };
}

export interface Conversion {
  /** Sorted by `at` across tickets (ties: tickets in order of first appearance, then history order). */
  lines: WorkloadLine[];
  /** The log's own SLA outcome per ticket: `made_sla` of its latest row. */
  madeSla: Record<string, boolean>;
  stats: ConversionStats;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function subjectOf(row: IncidentRow): string {
  const parts = [row.category, row.subcategory].filter((p): p is string => p !== undefined);
  const head = parts.length > 0 ? parts.join(' / ') : `Incident ${row.number}`;
  return row.symptom === undefined ? head : `${head}: ${row.symptom}`;
}

function bodyOf(row: IncidentRow, channel: string): string {
  const facts: [string, string | undefined][] = [
    ['category', row.category],
    ['subcategory', row.subcategory],
    ['symptom', row.symptom],
    ['configuration item', row.configurationItem],
    ['impact', row.impact],
    ['urgency', row.urgency],
  ];
  const known = facts.filter((f): f is [string, string] => f[1] !== undefined).map(([k, v]) => `${k}: ${v}`);
  const intro = `ServiceNow incident ${row.number}, reported by ${channel}.`;
  return known.length > 0 ? `${intro} ${known.join('; ')}.` : intro;
}

/**
 * A log value as the value of a `key:value` tag (no spaces or commas, at most 64 characters in
 * all, as tags are everywhere in Escalon): `2 - Medium` → `2`, `Subcategory 174` → `174`,
 * anything else lower-cased with runs of other characters as `-`. Undefined if nothing is left.
 */
export function tagOf(key: string, value: string): string | undefined {
  const text = value.trim();
  const leveled = /^(\d+) - /.exec(text);
  const numbered = /^[A-Za-z][A-Za-z_ ]* (\d+)$/.exec(text);
  const slug = (leveled?.[1] ?? numbered?.[1] ?? text.toLowerCase())
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63 - key.length)
    .replace(/-+$/, '');
  return slug === '' ? undefined : `${key}:${slug}`;
}

function tagsOf(row: IncidentRow): string[] {
  const facts: [string, string | undefined][] = [
    ['impact', row.impact],
    ['urgency', row.urgency],
    ['subcategory', row.subcategory],
    ['symptom', row.symptom],
    ['ci', row.configurationItem],
  ];
  return facts.flatMap(([key, value]) => {
    const tag = value === undefined ? undefined : tagOf(key, value);
    return tag === undefined ? [] : [tag];
  });
}

function channelOf(contactType: string | undefined): string {
  if (contactType === undefined) return 'other';
  return contactType
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
}

interface Stamped {
  at: number;
  ticketIndex: number;
  seq: number;
  line: WorkloadLine;
}

/** Convert one incident's rows (at least one) into its stamped lines; updates `stats`. */
function convertIncident(
  rows: IncidentRow[],
  ticketIndex: number,
  stats: ConversionStats,
  out: Stamped[],
): void {
  const ordered = rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => a.row.updatedAt - b.row.updatedAt || a.i - b.i)
    .map((x) => x.row);
  const first = ordered[0];
  if (first === undefined) return;
  const ticket = first.number;
  let seq = 0;
  const emit = (at: number, line: WorkloadLine): void => {
    out.push({ at, ticketIndex, seq: seq++, line });
    stats.lines[line.type]++;
  };

  const createdAt = Math.min(first.openedAt, first.updatedAt);
  const channel = channelOf(first.contactType);
  const created: CreatedLine = {
    at: iso(createdAt),
    type: 'ticket.created',
    ticket,
    priority: first.priority,
    organization: { id: first.location ?? 'unknown-location', tier: 'standard' },
    subject: subjectOf(first),
    body: bodyOf(first, channel),
    channel,
  };
  const tags = tagsOf(first);
  if (tags.length > 0) created.tags = tags;
  if (first.category !== undefined) created.category = first.category;
  if (first.caller !== undefined) created.requester = first.caller;
  if (first.assignedTo !== undefined) created.assignee = first.assignedTo;
  if (first.assignmentGroup !== undefined) created.group = first.assignmentGroup;
  emit(createdAt, created);

  let status: 'new' | WorkloadStatus = 'new';
  let priority = first.priority;
  let assignee = first.assignedTo;
  let group = first.assignmentGroup;
  let previous: IncidentRow | undefined;

  for (const row of ordered) {
    const isFirst = previous === undefined;
    const before = previous ?? row;
    previous = row;
    if (status === 'closed') {
      if (!isFirst) stats.skippedRows.after_closed++;
      continue;
    }
    const at = row.updatedAt;
    const ticketAt = iso(at);
    let emitted = 0;

    const mapped = Object.hasOwn(STATE_MAP, row.state) ? STATE_MAP[row.state] : undefined;
    const target: 'new' | WorkloadStatus | undefined =
      row.state === 'New' && status === 'new' ? 'new' : mapped;
    if (target !== undefined && target !== 'new' && target !== status) {
      emit(at, { at: ticketAt, type: 'status.changed', ticket, status: target });
      status = target;
      emitted++;
    }
    if (row.priority !== priority) {
      emit(at, { at: ticketAt, type: 'priority.changed', ticket, priority: row.priority });
      priority = row.priority;
      emitted++;
    }
    const newGroup =
      row.assignmentGroup !== undefined && row.assignmentGroup !== group ? row.assignmentGroup : undefined;
    if (row.assignedTo !== undefined && row.assignedTo !== assignee) {
      const line: AssignedLine = { at: ticketAt, type: 'ticket.assigned', ticket, assignee: row.assignedTo };
      if (newGroup !== undefined) {
        line.group = newGroup;
        stats.groupChanges.withAssignee++;
      }
      emit(at, line);
      emitted++;
    } else if (newGroup !== undefined) {
      emit(at, {
        at: ticketAt,
        type: 'ticket.assigned',
        ticket,
        assignee: assignee ?? null,
        group: newGroup,
      });
      stats.groupChanges.alone++;
      emitted++;
    }
    if (newGroup !== undefined) group = newGroup;
    if (isFirst) {
      assignee = row.assignedTo;
      continue;
    }

    let ignored = 0;
    const note = (change: IgnoredChange): void => {
      stats.ignoredChanges[change]++;
      ignored++;
    };
    if (row.assignedTo === undefined && before.assignedTo !== undefined) note('unassigned');
    if (row.assignmentGroup === undefined && before.assignmentGroup !== undefined) note('group_cleared');
    if (row.category !== before.category) note('category');
    if (row.location !== before.location) note('location');
    if (row.caller !== before.caller) note('caller');
    if (row.assignedTo !== undefined) assignee = row.assignedTo;

    if (emitted === 0) stats.skippedRows[ignored > 0 ? 'unmapped_change_only' : 'no_change']++;
  }
}

/**
 * Convert the rows of the whole log. Rows are grouped by incident number (in order of first
 * appearance); every line of the result is sorted by `at`, stable across tickets.
 */
export function convertServiceNow(rows: Iterable<IncidentRow>): Conversion {
  const byIncident = new Map<string, IncidentRow[]>();
  let rowCount = 0;
  for (const row of rows) {
    rowCount++;
    const list = byIncident.get(row.number);
    if (list) list.push(row);
    else byIncident.set(row.number, [row]);
  }

  const stats: ConversionStats = {
    incidents: byIncident.size,
    rows: rowCount,
    lines: { 'ticket.created': 0, 'status.changed': 0, 'priority.changed': 0, 'ticket.assigned': 0 },
    skippedRows: { no_change: 0, after_closed: 0, unmapped_change_only: 0 },
    ignoredChanges: { unassigned: 0, group_cleared: 0, category: 0, location: 0, caller: 0 },
    groupChanges: { withAssignee: 0, alone: 0 },
  };
  const stamped: Stamped[] = [];
  const madeSla: Record<string, boolean> = {};
  let ticketIndex = 0;
  for (const [number, incidentRows] of byIncident) {
    convertIncident(incidentRows, ticketIndex++, stats, stamped);
    let latest = incidentRows[0];
    for (const row of incidentRows)
      if (latest === undefined || row.updatedAt >= latest.updatedAt) latest = row;
    if (latest) madeSla[number] = latest.madeSla;
  }
  stamped.sort((a, b) => a.at - b.at || a.ticketIndex - b.ticketIndex || a.seq - b.seq);
  return { lines: stamped.map((s) => s.line), madeSla, stats };
}
