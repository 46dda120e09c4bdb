/**
 * The risk memo (issue 14): what the features need about a ticket's history that the engine
 * state does not keep, folded step by step from inputs and the engine's events. Plain JSON,
 * pure, and only ever about the past: each step adds what happened at that step, nothing
 * else, so a score built from it cannot see the future.
 */
import type { EngineEvent, EngineInput } from '../engine/types.ts';
import type { FoldRiskMemo, RiskMemo, RiskStep } from './api.ts';

const PRIORITY_RANK: Record<string, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

/** The memo's shape (what `foldRiskMemo` writes). Every field is JSON. */
export interface RiskMemoData {
  v: 1;
  /** Inputs seen (workload lines / API changes), timer firings not counted. */
  lines: number;
  /** Inputs after the creation. */
  updates: number;
  statusChanges: number;
  priorityChanges: number;
  priorityUps: number;
  priorityDowns: number;
  /** `ticket.assigned` inputs, and how many changed the assignee. */
  assignments: number;
  assigneeChanges: number;
  /** Changes of the outside system's group (`input.group`, imported logs): differs from the last group. */
  groupChanges: number;
  group: string | null;
  groupsSeen: number;
  reopenings: number;
  solvedTimes: number;
  pendingTimes: number;
  escalations: number;
  deescalations: number;
  customerEscalations: number;
  publicAgent: number;
  publicCustomer: number;
  internalNotes: number;
  /** Switches of author between consecutive public comments (agent ↔ customer). */
  backAndForth: number;
  lastPublicAuthor: 'agent' | 'customer' | null;
  lastStaffReplyAt: number | null;
  lastCustomerReplyAt: number | null;
  createdAt: number | null;
  lastInputAt: number | null;
  lastStatusAt: number | null;
  status: string | null;
  firstPriority: number | null;
  sentimentFirst: number | null;
  sentimentLast: number | null;
  slaWarnings: number;
  slaBreaches: number;
  /** The latest `due` (ms) announced per metric and when that clock (re)started. */
  due: Record<string, number>;
  dueFrom: Record<string, number>;
  /** Metrics fulfilled or stopped so far. */
  done: Record<string, boolean>;
}

export function emptyMemo(): RiskMemoData {
  return {
    v: 1,
    lines: 0,
    updates: 0,
    statusChanges: 0,
    priorityChanges: 0,
    priorityUps: 0,
    priorityDowns: 0,
    assignments: 0,
    assigneeChanges: 0,
    groupChanges: 0,
    group: null,
    groupsSeen: 0,
    reopenings: 0,
    solvedTimes: 0,
    pendingTimes: 0,
    escalations: 0,
    deescalations: 0,
    customerEscalations: 0,
    publicAgent: 0,
    publicCustomer: 0,
    internalNotes: 0,
    backAndForth: 0,
    lastPublicAuthor: null,
    lastStaffReplyAt: null,
    lastCustomerReplyAt: null,
    createdAt: null,
    lastInputAt: null,
    lastStatusAt: null,
    status: null,
    firstPriority: null,
    sentimentFirst: null,
    sentimentLast: null,
    slaWarnings: 0,
    slaBreaches: 0,
    due: {},
    dueFrom: {},
    done: {},
  };
}

/** Reads a stored memo defensively: anything missing or of another shape falls back to empty. */
export function readMemo(memo: RiskMemo | null | undefined): RiskMemoData {
  if (!memo || (memo as { v?: unknown }).v !== 1) return emptyMemo();
  return { ...emptyMemo(), ...(memo as Partial<RiskMemoData>) } as RiskMemoData;
}

/** The outside system's group an input names (imported logs), read defensively. */
function inputGroup(input: EngineInput): string | null {
  if (input.type === 'ticket.created') {
    const g = (input.ticket as { group?: unknown }).group;
    return typeof g === 'string' && g !== '' ? g : null;
  }
  if (input.type === 'ticket.assigned') {
    const g = (input as { group?: unknown }).group;
    return typeof g === 'string' && g !== '' ? g : null;
  }
  return null;
}

function setGroup(m: RiskMemoData, group: string | null, creation: boolean): void {
  if (group === null) return;
  if (m.group !== group) {
    if (!creation && m.group !== null) m.groupChanges++;
    m.groupsSeen++;
    m.group = group;
  }
}

function foldInput(m: RiskMemoData, at: number, input: EngineInput): void {
  m.lines++;
  m.lastInputAt = at;
  switch (input.type) {
    case 'ticket.created':
      m.createdAt = at;
      m.status = 'new';
      m.lastStatusAt = at;
      m.firstPriority = PRIORITY_RANK[input.ticket.priority] ?? 1;
      setGroup(m, inputGroup(input), true);
      return;
    case 'comment.added':
      m.updates++;
      if (!input.public) {
        m.internalNotes++;
        return;
      }
      if (input.author === 'agent') {
        m.publicAgent++;
        m.lastStaffReplyAt = at;
      } else {
        m.publicCustomer++;
        m.lastCustomerReplyAt = at;
      }
      if (m.lastPublicAuthor !== null && m.lastPublicAuthor !== input.author) m.backAndForth++;
      m.lastPublicAuthor = input.author;
      return;
    case 'status.changed':
      m.updates++;
      return;
    case 'priority.changed':
      m.updates++;
      return;
    case 'ticket.assigned':
      m.updates++;
      m.assignments++;
      setGroup(m, inputGroup(input), false);
      return;
    case 'ticket.updated':
    case 'ticket.escalated':
    case 'ticket.deescalated':
    case 'escalation.acknowledged':
      m.updates++;
      return;
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function foldEvent(m: RiskMemoData, e: EngineEvent): void {
  const d = e.data;
  switch (e.type) {
    case 'ticket.created': {
      const s = num(d.sentiment);
      if (s !== null) m.sentimentFirst = m.sentimentLast = s;
      return;
    }
    case 'status.changed': {
      const to = typeof d.to === 'string' ? d.to : null;
      const from = typeof d.from === 'string' ? d.from : m.status;
      if (to === null || to === from) return;
      m.statusChanges++;
      if (from === 'solved' && to !== 'closed') m.reopenings++;
      if (to === 'solved') m.solvedTimes++;
      if (to === 'pending' || to === 'on_hold') m.pendingTimes++;
      m.status = to;
      m.lastStatusAt = e.at;
      return;
    }
    case 'priority.changed': {
      const from = PRIORITY_RANK[String(d.from)];
      const to = PRIORITY_RANK[String(d.to)];
      m.priorityChanges++;
      if (from !== undefined && to !== undefined) {
        if (to > from) m.priorityUps++;
        else if (to < from) m.priorityDowns++;
      }
      return;
    }
    case 'ticket.assigned':
      if (d.previous !== d.assignee) m.assigneeChanges++;
      return;
    case 'ticket.escalated':
      m.escalations++;
      if (e.actor === 'customer') m.customerEscalations++;
      return;
    case 'ticket.deescalated':
      m.deescalations++;
      return;
    case 'comment.added': {
      const s = num(d.sentiment);
      if (s !== null) {
        if (m.sentimentFirst === null) m.sentimentFirst = s;
        m.sentimentLast = s;
      }
      return;
    }
    case 'sla.warning':
      m.slaWarnings++;
      return;
    case 'sla.breached':
      m.slaBreaches++;
      return;
    case 'sla.applied':
    case 'sla.resumed': {
      const metric = String(d.metric);
      const due = typeof d.due === 'string' ? Date.parse(d.due) : NaN;
      if (Number.isFinite(due)) {
        m.due[metric] = due;
        if (e.type === 'sla.applied' || m.dueFrom[metric] === undefined) m.dueFrom[metric] = e.at;
      }
      delete m.done[metric];
      return;
    }
    case 'sla.fulfilled':
    case 'sla.stopped':
      m.done[String(d.metric)] = true;
      return;
  }
}

/** Folds one step into the memo (a copy; the memo given is never changed). */
export const foldRiskMemo: FoldRiskMemo = (memo: RiskMemo | null, step: RiskStep): RiskMemo => {
  const m = readMemo(memo);
  m.due = { ...m.due };
  m.dueFrom = { ...m.dueFrom };
  m.done = { ...m.done };
  if (step.input) foldInput(m, step.at, step.input);
  for (const e of step.events) foldEvent(m, e);
  return m as unknown as RiskMemo;
};
