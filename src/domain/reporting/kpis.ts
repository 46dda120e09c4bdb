/**
 * The KPIs of the contract (docs/contract.md) §7 over ticket facts and stints (see ticket-facts.ts for the terms).
 *
 * Period membership: a ticket is in the *created cohort* when created in [from, to) and in
 * the *solved cohort* when its latest solve falls in [from, to). Rates, volumes, causes,
 * per-level/team figures, bottlenecks, SLA compliance, CSAT and time to escalate use the
 * created cohort; escalation resolution time and first-contact resolution use the solved
 * cohort. Filters keep a ticket when its priority (current), tier and channel (at creation)
 * equal the given values and it has been at the given team / level at some point.
 *
 * SLA compliance per metric = met / (met + breached): a clock is *met* when it was fulfilled at
 * or before its due moment (its final outcome, after any reopen) and *breached* once its breach
 * was recorded (fulfilled late, stopped after the breach, or still running late). A clock that
 * stopped before its due moment (the ticket solved while a next_response clock ran, a priority
 * without that target) was neither met nor breached and counts in neither; neither does a clock
 * still running on time. The parts are reported beside the rate.
 */
import type { ChecklistItemTiming } from '../playbooks.ts';
import { METRICS, type Metric } from '../policy/types.ts';
import { Bucketer, type Granularity } from './buckets.ts';
import { distribution, ratio, type Distribution, type Ratio } from './stats.ts';
import { WAIT_STATUSES, heldAsOf, isComplete, type Stint, type StintKind, type TicketFacts } from './ticket-facts.ts';

export type ChecklistItemFigure = ChecklistItemTiming & { key: string };

export interface ReportFilters {
  team?: string;
  level?: string;
  priority?: string;
  tier?: string;
  channel?: string;
}

export interface KpiQuery {
  /** Period [from, to) as epoch ms. */
  from: number;
  to: number;
  timeZone: string;
  /** The instant open intervals run to (bottlenecks); normally now. */
  asOf: number;
  filters: ReportFilters;
  /** The frontline level for first-contact resolution. */
  firstLevel: string;
}

export interface SlaCompliance extends Ratio {
  /** Met: fulfilled at or before due (= numerator). */
  met: number;
  /** Breached clock cycles (at most one breach per cycle), whatever happened after. */
  breached: number;
  /** Clocks fulfilled late (after a breach). */
  fulfilledLate: number;
  /** Clocks that ended stopped (never fulfilled), breached before or not. */
  stopped: number;
}

/** The one formula both report paths use: met / (met + breached). */
export function slaCompliance(t: { ended: number; met: number; breached: number; stopped: number }): SlaCompliance {
  return { ...ratio(t.met, t.met + t.breached), met: t.met, breached: t.breached, fulfilledLate: t.ended - t.met - t.stopped, stopped: t.stopped };
}

export interface GroupFigures {
  key: string;
  volumeIn: number;
  timeHeldMs: Distribution;
  /** Stints not complete yet (excluded from time held). */
  stillHeld: number;
  breachRate: Ratio;
  /** Stints entered by escalation that were left by another escalation. */
  reEscalationRate: Ratio;
}

export interface TimeSpent {
  key: string;
  totalMs: number;
  tickets: number;
  meanMs: number | null;
  share: number | null;
}

export interface TrendPoint {
  bucket: string;
  created: number;
  escalated: number;
  escalationRate: number | null;
  solved: number;
  firstContactResolved: number;
  medianTimeToEscalateMs: number | null;
  medianEscalationResolutionMs: number | null;
}

/**
 * Per-agent figures over the created cohort. A ticket belongs to the agent who gave its first
 * public reply (its first responder); tickets nobody answered yet belong to no agent.
 * handled = such tickets; escalated = those of them escalated at least once; time to first
 * response = that reply − creation (median, p90); SLA met = met / (met + breached) over all of
 * their clocks (the compliance formula); CSAT = ratings 4–5 / ratings of those tickets.
 */
export interface AgentFigures {
  /** The first responder as the events name them: `user:<id>` live, an email or `agent` in simulate. */
  key: string;
  /** Filled in by the report's reader (build-report.ts) for `user:<id>` keys. */
  name?: string;
  email?: string;
  handled: number;
  escalated: number;
  timeToFirstResponseMs: Distribution;
  slaMet: Ratio;
  csat: Ratio;
}

/** What per-agent figures need of one ticket (both report paths hand these in). */
export interface AgentTicket {
  firstResponder: string | null;
  createdAt: number;
  firstRepliedAt: number | null;
  escalated: boolean;
  slaMet: number;
  slaBreached: number;
  csat: number | null;
}

export function agentFigures(tickets: Iterable<AgentTicket>): AgentFigures[] {
  const by = new Map<string, AgentTicket[]>();
  for (const t of tickets) {
    if (t.firstResponder === null) continue;
    const list = by.get(t.firstResponder);
    if (list) list.push(t);
    else by.set(t.firstResponder, [t]);
  }
  return [...by.keys()].sort().map((key) => {
    const list = by.get(key) ?? [];
    const met = list.reduce((a, t) => a + t.slaMet, 0);
    const breached = list.reduce((a, t) => a + t.slaBreached, 0);
    const rated = list.filter((t) => t.csat !== null);
    return {
      key,
      handled: list.length,
      escalated: list.filter((t) => t.escalated).length,
      timeToFirstResponseMs: distribution(list.map((t) => (t.firstRepliedAt ?? t.createdAt) - t.createdAt)),
      slaMet: ratio(met, met + breached),
      csat: ratio(rated.filter((t) => (t.csat ?? 0) >= 4).length, rated.length),
    };
  });
}

export interface KpiReport {
  period: { from: string; to: string; timeZone: string; asOf: string };
  filters: ReportFilters;
  ticketsCreated: number;
  ticketsSolved: number;
  escalationRate: Ratio;
  timeToEscalateMs: Distribution;
  escalationResolutionMs: Distribution;
  reEscalationRate: Ratio;
  firstContactResolution: Ratio;
  slaCompliance: Record<Metric, SlaCompliance>;
  csat: { escalated: Ratio; notEscalated: Ratio };
  bounceRate: Ratio;
  agents: AgentFigures[];
  levels: GroupFigures[];
  teams: GroupFigures[];
  /**
   * byRootCause: tickets of the created cohort that were escalated or have a recorded review,
   * each once, under the root cause its latest review recorded (`unreviewed` when none).
   */
  causes: { byReason: Array<{ reason: string; count: number }>; byRule: Array<{ rule: string; count: number }>; byRootCause: Array<{ rootCause: string; count: number }> };
  /**
   * checklistItems: completion time per checklist item (reporting/checklist-times.ts), filled by
   * buildReport for both engines; absent from the engines' own output.
   */
  bottlenecks: { byLevel: TimeSpent[]; byStatus: TimeSpent[]; checklistItems?: ChecklistItemFigure[] };
  trends: { day: TrendPoint[]; week: TrendPoint[] };
}

export function matchesFilters(f: TicketFacts, filters: ReportFilters): boolean {
  if (filters.priority !== undefined && f.priority !== filters.priority) return false;
  if (filters.tier !== undefined && f.tier !== filters.tier) return false;
  if (filters.channel !== undefined && f.channel !== filters.channel) return false;
  if (filters.team !== undefined && !f.teamsVisited.includes(filters.team)) return false;
  if (filters.level !== undefined && !f.levelsVisited.includes(filters.level)) return false;
  return true;
}

const inPeriod = (at: number | null, q: KpiQuery): at is number => at !== null && at >= q.from && at < q.to;

/** Solved at the frontline with no escalation and exactly one public agent reply. */
export function isFirstContactResolution(f: TicketFacts, firstLevel: string): boolean {
  return f.solvedAt !== null && f.escalations === 0 && f.solvedLevel === firstLevel && f.publicAgentReplies === 1;
}

/** the contract (docs/contract.md) §7: a ticket counts towards the bounce rate with a bounce or more than two reassignments. */
export function isBouncing(f: Pick<TicketFacts, 'bounces' | 'reassignments'>): boolean {
  return f.bounces > 0 || f.reassignments > 2;
}

function byKey<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

const sortedKeys = <T>(m: Map<string, T>): string[] => [...m.keys()].sort();

function groupFigures(stints: Stint[], kind: StintKind): GroupFigures[] {
  const groups = byKey(
    stints.filter((s) => s.kind === kind),
    (s) => s.key,
  );
  return sortedKeys(groups).map((key) => {
    const list = groups.get(key) ?? [];
    const complete = list.filter(isComplete);
    const escalatedIn = list.filter((s) => s.enteredBy === 'escalated');
    return {
      key,
      volumeIn: list.length,
      timeHeldMs: distribution(complete.map((s) => s.heldMs)),
      stillHeld: list.length - complete.length,
      breachRate: ratio(list.filter((s) => s.breaches > 0).length, list.length),
      reEscalationRate: ratio(escalatedIn.filter((s) => s.leftBy === 'escalated').length, escalatedIn.length),
    };
  });
}

function timeSpent(totals: Map<string, { ms: number; tickets: Set<string> }>): TimeSpent[] {
  let all = 0;
  for (const v of totals.values()) all += v.ms;
  return sortedKeys(totals).map((key) => {
    const v = totals.get(key) ?? { ms: 0, tickets: new Set<string>() };
    return { key, totalMs: v.ms, tickets: v.tickets.size, meanMs: v.tickets.size === 0 ? null : v.ms / v.tickets.size, share: all === 0 ? null : v.ms / all };
  });
}

function addTime(totals: Map<string, { ms: number; tickets: Set<string> }>, key: string, ticket: string, ms: number): void {
  const t = totals.get(key) ?? { ms: 0, tickets: new Set<string>() };
  t.ms += ms;
  t.tickets.add(ticket);
  totals.set(key, t);
}

function trend(created: TicketFacts[], solved: TicketFacts[], q: KpiQuery, bucketer: Bucketer, g: Granularity): TrendPoint[] {
  const labels = bucketer.labels(q.from, q.to, g);
  const c = byKey(created, (f) => bucketer.label(f.createdAt, g));
  const s = byKey(solved, (f) => bucketer.label(f.solvedAt ?? 0, g));
  return labels.map((bucket) => {
    const cr = c.get(bucket) ?? [];
    const so = s.get(bucket) ?? [];
    const esc = cr.filter((f) => f.firstEscalatedAt !== null);
    const solvedEsc = so.filter((f) => f.firstEscalatedAt !== null);
    return {
      bucket,
      created: cr.length,
      escalated: esc.length,
      escalationRate: ratio(esc.length, cr.length).rate,
      solved: so.length,
      firstContactResolved: so.filter((f) => isFirstContactResolution(f, q.firstLevel)).length,
      medianTimeToEscalateMs: distribution(esc.map((f) => (f.firstEscalatedAt ?? 0) - f.createdAt)).median,
      medianEscalationResolutionMs: distribution(solvedEsc.map((f) => (f.solvedAt ?? 0) - (f.firstEscalatedAt ?? 0))).median,
    };
  });
}

/**
 * Computes the report. `facts` may hold any tickets (those outside both cohorts or the
 * filters are ignored); `stints` must include those of every created-cohort ticket.
 */
export function computeKpis(facts: Iterable<TicketFacts>, stints: Iterable<Stint>, q: KpiQuery): KpiReport {
  const created: TicketFacts[] = [];
  const solved: TicketFacts[] = [];
  for (const f of facts) {
    if (!matchesFilters(f, q.filters)) continue;
    if (inPeriod(f.createdAt, q)) created.push(f);
    if (inPeriod(f.solvedAt, q)) solved.push(f);
  }
  const cohort = new Set(created.map((f) => f.ticketId));
  const ownStints = [...stints].filter((s) => cohort.has(s.ticketId));

  const escalated = created.filter((f) => f.firstEscalatedAt !== null);
  const solvedEscalated = solved.filter((f) => f.firstEscalatedAt !== null);

  const sla = {} as Record<Metric, SlaCompliance>;
  for (const m of METRICS) {
    let ended = 0;
    let met = 0;
    let stopped = 0;
    let breached = 0;
    for (const f of created) {
      ended += f.sla[m].ended;
      met += f.sla[m].met;
      stopped += f.sla[m].stopped;
      breached += f.sla[m].breached;
    }
    sla[m] = slaCompliance({ ended, met, breached, stopped });
  }

  const rated = (list: TicketFacts[]) => {
    const withRating = list.filter((f) => f.csat !== null);
    return ratio(withRating.filter((f) => (f.csat ?? 0) >= 4).length, withRating.length);
  };

  const causesReason = byKey(
    ownStints.filter((s) => s.kind === 'team' && s.enteredBy === 'escalated'),
    (s) => s.reason ?? 'other',
  );
  const causesRule = byKey(
    ownStints.filter((s) => s.kind === 'team' && s.enteredBy === 'escalated'),
    (s) => s.rule ?? 'manual',
  );
  const count = (m: Map<string, Stint[]>) => sortedKeys(m).map((k) => ({ k, count: m.get(k)?.length ?? 0 })).sort((a, b) => b.count - a.count || (a.k < b.k ? -1 : 1));

  const levelTime = new Map<string, { ms: number; tickets: Set<string> }>();
  for (const s of ownStints) if (s.kind === 'level') addTime(levelTime, s.key, s.ticketId, heldAsOf(s, q.asOf));
  const statusTime = new Map<string, { ms: number; tickets: Set<string> }>();
  for (const f of created) {
    for (const st of WAIT_STATUSES) {
      const running = f.status === st ? Math.max(0, q.asOf - f.statusSince) : 0;
      const ms = f.statusMs[st] + running;
      if (ms > 0 || f.status === st) addTime(statusTime, st, f.ticketId, ms);
    }
  }

  const bucketer = new Bucketer(q.timeZone);
  return {
    period: { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), timeZone: q.timeZone, asOf: new Date(q.asOf).toISOString() },
    filters: q.filters,
    ticketsCreated: created.length,
    ticketsSolved: solved.length,
    escalationRate: ratio(escalated.length, created.length),
    timeToEscalateMs: distribution(escalated.map((f) => (f.firstEscalatedAt ?? 0) - f.createdAt)),
    escalationResolutionMs: distribution(solvedEscalated.map((f) => (f.solvedAt ?? 0) - (f.firstEscalatedAt ?? 0))),
    reEscalationRate: ratio(escalated.filter((f) => f.escalations > 1).length, escalated.length),
    firstContactResolution: ratio(solved.filter((f) => isFirstContactResolution(f, q.firstLevel)).length, solved.length),
    slaCompliance: sla,
    csat: { escalated: rated(escalated), notEscalated: rated(created.filter((f) => f.firstEscalatedAt === null)) },
    bounceRate: ratio(created.filter((f) => isBouncing(f)).length, created.length),
    agents: agentFigures(
      created.map((f) => ({
        firstResponder: f.firstResponder,
        createdAt: f.createdAt,
        firstRepliedAt: f.firstRepliedAt,
        escalated: f.firstEscalatedAt !== null,
        slaMet: METRICS.reduce((a, m) => a + f.sla[m].met, 0),
        slaBreached: METRICS.reduce((a, m) => a + f.sla[m].breached, 0),
        csat: f.csat,
      })),
    ),
    levels: groupFigures(ownStints, 'level'),
    teams: groupFigures(ownStints, 'team'),
    causes: {
      byReason: count(causesReason).map(({ k, count: n }) => ({ reason: k, count: n })),
      byRule: count(causesRule).map(({ k, count: n }) => ({ rule: k, count: n })),
      byRootCause: rootCauseCounts(created.map((f) => ({ escalated: f.firstEscalatedAt !== null, rootCause: f.rootCause }))),
    },
    bottlenecks: { byLevel: timeSpent(levelTime), byStatus: timeSpent(statusTime) },
    trends: { day: trend(created, solved, q, bucketer, 'day'), week: trend(created, solved, q, bucketer, 'week') },
  };
}

export const UNREVIEWED = 'unreviewed';

/** Shared with the rollup path: escalated or reviewed tickets by their recorded root cause, most first. */
export function rootCauseCounts(tickets: Iterable<{ escalated: boolean; rootCause: string | null }>): Array<{ rootCause: string; count: number }> {
  const m = new Map<string, number>();
  for (const t of tickets) {
    if (!t.escalated && t.rootCause === null) continue;
    const k = t.rootCause ?? UNREVIEWED;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].map(([rootCause, count]) => ({ rootCause, count })).sort((a, b) => b.count - a.count || (a.rootCause < b.rootCause ? -1 : 1));
}
