/** Escalation drills and the quick-reference guide: the console's calls (GET/POST /drills…, GET /quick-reference). */
import { get, post, type Reason } from '../api.ts';

export interface QuickReference {
  policy_version: number | null;
  generated_at: string;
  levels: Array<{
    id: string;
    name: string;
    teams: Array<{ id: string; kind: string; calendar: string | null; members: string[]; lead: string | null; manager: string | null; skills: string[]; on_call: { now: string | null; rotation: string[] } | null }>;
  }>;
  rules: Array<{ id: string; when: string; condition: string | null; does: string[]; escalates_to: string | null; reason: string | null; requires_acknowledgement: boolean }>;
  customer_requests: { to: string; limit: string; requires_acknowledgement: boolean } | null;
  support: {
    calendars: Array<{ id: string; time_zone: string; always_open: boolean; hours: Record<string, string[]>; upcoming_holidays: string[] }>;
    tiers: Array<{ sla_policy: string; applies_to: string; calendar: string; time_zone: string; targets: Array<{ priority: string } & Partial<Record<'first_response' | 'next_response' | 'periodic_update' | 'resolution', { ms: number; text: string }>>> }>;
  };
  checklists: Array<{ id: string; title: string; items: Array<{ text: string; required: boolean }> }>;
}

export interface Drill {
  id: string;
  name: string;
  source: string;
  scenario: string;
  policy_version: number;
  created_at: string;
  created_by: string;
  tickets: number;
  trainees: Array<{ id: string; name: string }>;
  my_progress: { decided: number; points: number; max: number } | null;
}

export interface DrillList {
  items: Drill[];
  can_start: boolean;
  scenarios: Array<{ id: string; title: string; tickets: number }>;
}

export interface Expected {
  escalate: boolean;
  team: string | null;
  level: string | null;
  reason: string | null;
  rule: string | null;
  trigger: string | null;
  after_ms: number | null;
  timing: 'now' | 'wait' | null;
  explanation: string;
}

export interface ScoreCheck {
  item: 'escalate' | 'target' | 'reason' | 'timing';
  ok: boolean;
  points: number;
  max: number;
  expected: string;
  given: string;
}

export interface DecisionResult {
  decision: Record<string, unknown>;
  points: number;
  max: number;
  checks: ScoreCheck[];
  decided_at: string;
}

export interface DrillTicket {
  id: string;
  position: number;
  ref: string;
  priority: string;
  tier: string;
  subject: string;
  body: string;
  channel: string;
  tags: string[];
  category: string | null;
  timeline: Array<{ after_ms: number; type: string; text: string }>;
  decision: DecisionResult | null;
  expected: Expected | null;
}

export interface PracticeQueue {
  drill: Drill;
  is_trainee: boolean;
  tickets: DrillTicket[];
  choices: { levels: Array<{ id: string; name: string }>; teams: Array<{ id: string; level: string; kind: string }>; reasons: string[] };
}

interface Totals {
  points: number;
  max: number;
  percent: number;
  agreed: number;
}

export interface ScoreSheet {
  drill: Drill;
  trainees: Array<Totals & { user_id: string; name: string; email: string | null; decided: number; tickets: number; complete: boolean }>;
  tickets: Array<Totals & { id: string; ref: string; subject: string; expected: Expected; decisions: number; by_trainee: Array<{ user_id: string; name: string; points: number; max: number; decision: Record<string, unknown> }> }>;
  scenario: Totals & { scenario: string; drills: number; trainees: number; decisions: number };
}

export type ScenarioChoice = { kind: 'example'; id: string } | { kind: 'upload'; workload: string; name?: string } | { kind: 'history'; count: number };

export interface DecisionInput {
  ticket_id: string;
  escalate: boolean;
  team?: string | null;
  level?: string | null;
  reason?: Reason | null;
  timing?: 'now' | 'wait' | null;
  documentation?: { summary: string; steps_taken: string; needs_attention: string } | null;
}

export const getQuickReference = () => get<QuickReference>('/quick-reference');
export const listDrills = () => get<DrillList>('/drills');
export const startDrill = (body: { name?: string; scenario: ScenarioChoice; trainees: string[] | 'all_agents' }) => post<Drill>('/drills', body);
export const getPracticeQueue = (id: string) => get<PracticeQueue>(`/drills/${encodeURIComponent(id)}/tickets`);
export const decide = (id: string, body: DecisionInput) => post<DecisionResult & { ticket_id: string; expected: Expected }>(`/drills/${encodeURIComponent(id)}/decisions`, body);
export const getScores = (id: string) => get<ScoreSheet>(`/drills/${encodeURIComponent(id)}/scores`);

/** "+0 min", "+8 h" after a ticket's creation. */
export function after(ms: number | null): string {
  if (ms === null) return '—';
  const m = Math.round(ms / 60_000);
  return m < 120 ? `+${m} min` : `+${+(m / 60).toFixed(1)} h`;
}
