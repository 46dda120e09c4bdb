/** The console's only door to the server: fetch with the session cookie, typed results, the API's error shape. */
import type { PolicyChanges, SectionChanges } from '../../src/domain/policy/policy-diff.ts';
export type Role = 'admin' | 'manager' | 'lead' | 'agent' | 'customer';
export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const REASONS = ['technical_complexity', 'financial_high_value', 'legal_compliance', 'customer_request', 'sla_risk', 'authority_exceeded', 'other'] as const;
export type Status = (typeof STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Reason = (typeof REASONS)[number];

export interface Me {
  id: string;
  email: string;
  name: string;
  role: Role;
  organization_id: string | null;
}

export interface Ticket {
  id: string;
  key: string;
  subject: string;
  body: string;
  status: Status;
  priority: Priority;
  category: string | null;
  tags: string[];
  channel: string;
  requester_id: string;
  organization_id: string;
  assignee_id: string | null;
  owner_id: string | null;
  team: string | null;
  level: string | null;
  created_at: string;
  updated_at: string;
  solved_at: string | null;
  version: number;
  reassignments: number;
  team_moves: number;
  bounces: number;
  reopens: number;
  /** GET /tickets/:ref only: what the customer may expect, from the SLA clocks. */
  expectations?: Expectations;
}

export interface Expectations {
  first_response_due: string | null;
  resolution_due: string | null;
  time_zone: string | null;
  text: string | null;
}

/** GET /support-hours (public). */
export interface SupportHours {
  policy_version: number | null;
  calendars: Array<{ id: string; time_zone: string; always_open: boolean; hours: Record<string, string[]>; upcoming_holidays: string[] }>;
  tiers: Array<{
    sla_policy: string;
    tiers: string[] | null;
    applies_to: string;
    calendar: string;
    time_zone: string;
    targets: Array<{ priority: string } & Partial<Record<'first_response' | 'next_response' | 'periodic_update' | 'resolution', { ms: number; text: string }>>>;
  }>;
}

export interface Comment {
  id: string;
  author_id: string;
  author_role: string;
  public: boolean;
  body: string;
  created_at: string;
  attachments?: Attachment[];
  /** A staff reply's delivery to each customer recipient (staff only; [] otherwise). */
  delivery: ReplyDelivery[];
}

export interface ReplyDelivery {
  recipient: string;
  channel: string;
  state: 'queued' | 'sent' | 'failed' | 'cancelled';
  error: string | null;
  attempts: number;
  sent_at: string | null;
}

export interface Attachment {
  id: string;
  ticket_id: string | null;
  comment_id: string | null;
  filename: string;
  content_type: string;
  size: number;
  url: string;
}

export interface TicketEvent {
  id: string;
  at: string;
  recorded_at: string;
  type: string;
  actor: string;
  internal: boolean;
  payload: Record<string, unknown>;
}

/** One outgoing message of a ticket and its delivery state (GET /tickets/:ref/notifications, staff). */
export interface TicketNotification {
  id: string;
  template: string;
  channel: string;
  recipient: string;
  state: 'queued' | 'held' | 'waiting' | 'sending' | 'sent' | 'merged' | 'failed' | 'cancelled';
  attempts: number;
  reason: string | null;
  queued_at: string;
  sent_at: string | null;
  merged_into: string | null;
  rule: string | null;
}

export interface ClockView {
  metric: string;
  status: string;
  target_ms: number;
  elapsed_ms: number;
  due: string | null;
  paused: boolean;
  breached: boolean;
}

export interface SlaView {
  policy_version: number | null;
  sla_policy: string | null;
  clocks: ClockView[];
  escalation: {
    level: string | null;
    team: string | null;
    owner: string | null;
    escalations: number;
    acknowledgement_pending: { escalation_id: string; since: string } | null;
    /** Whether you may acknowledge (the receiving team, its lead or manager, the assignee, managers and admins; never who escalated). */
    can_acknowledge: boolean;
    acknowledge_refusal: string | null;
  };
  next_moments: Array<{ key: string; due: string }>;
}

/** GET /tickets/:ref/requester (staff only). */
export interface RequesterView {
  requester: { id: string; name: string; email: string | null; phone: string | null; role: string } | null;
  organization: { id: string; name: string; tier: string; contract_value: number | null; account_manager: string | null } | null;
  other_tickets: Array<{ key: string; subject: string; status: Status; priority: Priority; level: string | null; created_at: string }>;
  cues: {
    sentiment: Array<{ at: string; source: 'ticket' | 'comment'; value: number }>;
    trend: { direction: 'improving' | 'worsening' | 'steady'; first: number; latest: number; change: number } | null;
    flags: Array<{ flag: string; words: string[]; at: string; source: 'ticket' | 'comment' }>;
  };
}

/** What a customer is told after asking for escalation. */
export interface CustomerRequestOutcome {
  outcome: 'escalated' | 'recorded';
  level: string | null;
  level_name: string | null;
  message: string;
  next_request_from: string | null;
}

export interface Organization {
  id: string;
  name: string;
  tier: string;
  contract_value: number | null;
  account_manager: string | null;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  organization_id: string | null;
  active: boolean;
}

export interface PolicyDoc {
  version: number;
  format: string;
  applied_at: string;
  applied_by: string;
  source: string;
}

/** What a policy change changes, section by section (a plan, or a diff of two versions): the server's own types. */
export type { PolicyChanges, SectionChanges };

export interface PolicyPlan extends PolicyChanges {
  current_version: number;
  next_version: number;
  rollback_of: number | null;
  clocks: Array<{ ticket: string; metric: string; due_before: string | null; due_after: string | null }>;
  tickets_reapplied: number;
  /** Recipients that resolve to nobody and people without an account; never a refusal. */
  warnings?: Array<{ path: string; message: string }>;
}

export interface Problem {
  path?: string;
  line?: number | null;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
  /** The policy validator's problems (422 POLICY_INVALID), or none. */
  get problems(): Problem[] {
    const p = this.details.problems;
    return Array.isArray(p) ? (p as Problem[]) : [];
  }
}

/** Called when any request answers 401: the session is gone. */
let onUnauthenticated: () => void = () => undefined;
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

export async function api<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body instanceof FormData) {
    init.body = body; // the browser sets multipart/form-data with its boundary
  } else if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': contentType };
    init.body = typeof body === 'string' && contentType !== 'application/json' ? body : JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, init);
  if (res.status === 204) return null as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    if (res.status === 401 && !path.startsWith('/auth/login')) onUnauthenticated();
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? (text.slice(0, 200) || res.statusText), err?.details ?? {});
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

/** Uploads files (streamed by the server, pending until a ticket or comment names their ids). */
export async function uploadFiles(files: readonly File[]): Promise<Attachment[]> {
  if (files.length === 0) return [];
  const form = new FormData();
  for (const f of files) form.append('file', f, f.name);
  return (await api<{ items: Attachment[] }>('POST', '/attachments', form)).items;
}
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);

/** A query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export const errorText = (e: unknown): string => (e instanceof ApiError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e));
