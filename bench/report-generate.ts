/**
 * A synthetic help desk for the reporting benchmark: N tickets over two years with about ten
 * events each, shaped like the engine's (creation, SLA clocks, replies, status changes,
 * escalations with reasons and rules, reassignments, CSAT). Deterministic (seeded), generated
 * in batches and written straight into a migrated database — never committed as data.
 */
import type { ReportEvent } from '../src/domain/reporting/ticket-facts.ts';
import { mulberry32 } from '../src/domain/random.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
export const START = Date.parse('2025-01-01T00:00:00Z');
export const SPAN = 730 * DAY;

export const rng = mulberry32;

const PRIORITIES = ['low', 'normal', 'normal', 'normal', 'high', 'urgent'];
const TIERS = ['standard', 'standard', 'premium', 'enterprise'];
const CHANNELS = ['email', 'web', 'phone', 'api', 'chat'];
const REASONS = ['technical_complexity', 'sla_risk', 'customer_request', 'financial_high_value', 'legal_compliance', 'authority_exceeded', 'other'];
const RULES = ['breach-goes-up', 'unacknowledged-goes-up', 'legal-risk', 'billing-dispute', null, null];

export interface GeneratedTicket {
  id: string;
  number: number;
  createdAt: number;
  priority: string;
  channel: string;
  tier: string;
  status: string;
  team: string;
  level: string;
  solvedAt: number | null;
  events: ReportEvent[];
}

/** Ticket `i` of `n` (ids sort by creation). */
export function generateTicket(i: number, n: number, rand: () => number): GeneratedTicket {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const created = START + Math.floor((i / n) * SPAN) + Math.floor(rand() * MIN);
  const priority = pick(PRIORITIES);
  const tier = pick(TIERS);
  const channel = pick(CHANNELS);
  const events: ReportEvent[] = [];
  let t = created;
  const ev = (type: string, payload: Record<string, unknown>) => events.push({ at: t, type, payload });
  let team = 'frontline';
  let level = 'L1';
  let status = 'new';
  ev('ticket.created', { priority, organization: { id: `org-${Math.floor(rand() * 5000)}`, tier }, channel, team, level, tags: [], category: null });
  ev('sla.applied', { metric: 'first_response', due: new Date(created + 4 * HOUR).toISOString(), policy: 'standard', policy_version: 1, target_ms: 4 * HOUR });
  ev('sla.applied', { metric: 'resolution', due: new Date(created + 24 * HOUR).toISOString(), policy: 'standard', policy_version: 1, target_ms: 24 * HOUR });
  t += Math.floor(5 * MIN + rand() * 6 * HOUR);
  ev('comment.added', { public: true, author_role: 'agent' });
  ev('sla.fulfilled', { metric: 'first_response', breached: t - created > 4 * HOUR, policy: 'standard' });
  ev('status.changed', { from: 'new', to: 'open', automatic: true });
  status = 'open';
  if (rand() < 0.08) {
    const times = 1 + Math.floor(rand() * 4);
    for (let k = 1; k <= times; k++) {
      t += Math.floor(rand() * HOUR);
      ev('ticket.assigned', { assignee: `agent${k}@example.com`, previous: `agent${k - 1}@example.com`, reassignments: k });
    }
  }
  if (rand() < 0.3) {
    t += Math.floor(rand() * 4 * HOUR);
    ev('status.changed', { from: status, to: 'pending' });
    t += Math.floor(rand() * DAY);
    ev('status.changed', { from: 'pending', to: 'open' });
  }
  let breached = false;
  if (rand() < 0.12) {
    t = Math.max(t, created + 24 * HOUR);
    ev('sla.breached', { metric: 'resolution', policy: 'standard' });
    breached = true;
  }
  if (rand() < 0.35) {
    t += Math.floor(rand() * 8 * HOUR);
    const functional = rand() < 0.25;
    const to = functional ? { team: 'billing', level: 'L2', kind: 'functional' } : { team: 'specialists', level: 'L2', kind: 'hierarchical' };
    const rule = breached ? 'breach-goes-up' : pick(RULES);
    ev('ticket.escalated', { from_level: level, from_team: team, to_level: to.level, to_team: to.team, kind: to.kind, reason: breached ? 'sla_risk' : pick(REASONS), ...(rule ? { rule } : {}) });
    ev('notification.queued', { template: 'sla-breach-internal', recipient: 'team_lead' });
    team = to.team;
    level = to.level;
    if (rand() < 0.2) {
      t += Math.floor(rand() * 6 * HOUR);
      ev('ticket.escalated', { from_level: level, from_team: team, to_level: 'L3', to_team: 'engineering', kind: 'hierarchical', reason: 'technical_complexity', rule: 'unacknowledged-goes-up' });
      team = 'engineering';
      level = 'L3';
    }
  }
  let solvedAt: number | null = null;
  if (rand() < 0.9) {
    t += Math.floor(10 * MIN + rand() * 2 * DAY);
    ev('comment.added', { public: true, author_role: 'agent' });
    ev('status.changed', { from: status, to: 'solved' });
    status = 'solved';
    solvedAt = t;
    ev('sla.fulfilled', { metric: 'resolution', breached: breached || t - created > 24 * HOUR, policy: 'standard' });
    if (rand() < 0.25) {
      t += Math.floor(rand() * DAY);
      ev('csat.received', { rating: 1 + Math.floor(rand() * 5) });
    }
  }
  return { id: `t${String(i).padStart(8, '0')}`, number: i + 1, createdAt: created, priority, channel, tier, status, team, level, solvedAt, events };
}
