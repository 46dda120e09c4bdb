/**
 * One ticket's reporting facts, derived from its event log alone (the contract (docs/contract.md) §5, §7).
 *
 * Terms used throughout reporting:
 * - a *stint* is one stay of a ticket with a team (or at a level): it begins when the ticket
 *   is created there or moved there (escalated, de-escalated, transferred by assignment) and
 *   ends when the ticket moves away. Consecutive team stints on one level form one level stint.
 * - *held time* of a stint is the time the ticket spent there while not solved or closed:
 *   it stops when the ticket is solved (§7 "to leaving it or being solved") and resumes if the
 *   ticket is reopened while still there. A stint is *complete* once the ticket has left or is
 *   solved/closed; only complete stints enter the time-held median and p90.
 * - *status time* accumulates per status between status changes; the current status runs on
 *   to the report's `asOf` instant for bottlenecks.
 *
 * The derivation is a left fold over the events in (at, log) order, and it is total: unknown
 * event types are ignored and missing payload fields fall back (both the foundation's
 * `{from, to}` and the engine's `{from, to, status}` shapes are read). The live server keeps
 * its result in the rollup tables; the naive report and the tests call it on raw events.
 */
import { METRICS, type Metric } from '../policy/types.ts';

export interface ReportEvent {
  at: number;
  type: string;
  payload: Record<string, unknown>;
  /** Who (user:<id>, an email in simulate, rule:<id>, system); absent in old callers. */
  actor?: string | null;
}

export const WAIT_STATUSES = ['new', 'open', 'pending', 'on_hold'] as const;
export type WaitStatus = (typeof WAIT_STATUSES)[number];

/** Roles whose public comment is an agent reply (the engine writes `agent`, the API the user's role). */
const AGENT_ROLES = new Set(['agent', 'lead', 'manager', 'admin']);

export interface SlaTally {
  /** Clocks that ended: fulfilled or stopped. */
  ended: number;
  /** Fulfilled at or before due (`sla.fulfilled` without `breached`). */
  met: number;
  /** `sla.breached` events (one per clock cycle at most). */
  breached: number;
  /** Clocks that ended by `sla.stopped` (never fulfilled). */
  stopped: number;
}

export interface TicketFacts {
  ticketId: string;
  createdAt: number;
  priority: string;
  channel: string;
  tier: string;
  organizationId: string | null;
  status: string;
  /** Start of the current status. */
  statusSince: number;
  /** Time spent in each waiting status before the current one (ms). */
  statusMs: Record<WaitStatus, number>;
  level: string;
  team: string;
  firstLevel: string;
  /** Every team and level the ticket has been at, in first-visit order (for the team/level filters). */
  teamsVisited: string[];
  levelsVisited: string[];
  escalations: number;
  firstEscalatedAt: number | null;
  deescalations: number;
  reassignments: number;
  /** Changes of team, and those back to a team already left (the contract (docs/contract.md) §1 "team move, bounce"). */
  teamMoves: number;
  bounces: number;
  publicAgentReplies: number;
  /** The first public agent reply: by whom (the event's actor; `agent` when unknown) and when. */
  firstResponder: string | null;
  firstRepliedAt: number | null;
  /** The last moment the ticket became solved, null while it is not solved (closed keeps it). */
  solvedAt: number | null;
  /** The level it was at when solved. */
  solvedLevel: string | null;
  breaches: number;
  sla: Record<Metric, SlaTally>;
  /** The latest CSAT rating (1–5), if any. */
  csat: number | null;
  /** The root cause the latest post-resolution review recorded (`review.recorded`), if any. */
  rootCause: string | null;
}

export type StintKind = 'team' | 'level';
export type StintEntry = 'created' | 'escalated' | 'deescalated' | 'transferred';

export interface Stint {
  ticketId: string;
  kind: StintKind;
  /** Order within the ticket and kind, from 0. */
  seq: number;
  key: string;
  enteredAt: number;
  enteredBy: StintEntry;
  leftAt: number | null;
  leftBy: StintEntry | null;
  /** Held time accumulated so far (ms). */
  heldMs: number;
  /** When held time is accumulating, since when; null when left, solved or closed. */
  activeSince: number | null;
  /** `sla.breached` events while here. */
  breaches: number;
  /** For team stints entered by escalation: the reason category, the rule (null = manual) and kind. */
  reason: string | null;
  rule: string | null;
  escalationKind: string | null;
}

export interface TicketRollup {
  facts: TicketFacts;
  stints: Stint[];
}

export interface DeriveOptions {
  /** Team → level, from the applied policy; events teach the rest. */
  teamLevels?: Readonly<Record<string, string>>;
  /** The tier when the creation event does not carry one (the live server looks it up). */
  tier?: string;
}

export const NONE = '(none)';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function emptySla(): Record<Metric, SlaTally> {
  const out = {} as Record<Metric, SlaTally>;
  for (const m of METRICS) out[m] = { ended: 0, met: 0, breached: 0, stopped: 0 };
  return out;
}

function isMetric(v: unknown): v is Metric {
  return typeof v === 'string' && (METRICS as readonly string[]).includes(v);
}

/** Derives the facts and stints of one ticket. `events` must be one ticket's, in log order. */
export function deriveTicketRollup(ticketId: string, events: readonly ReportEvent[], options: DeriveOptions = {}): TicketRollup | null {
  const created = events.find((e) => e.type === 'ticket.created');
  if (!created) return null;
  const learned = new Map<string, string>(Object.entries(options.teamLevels ?? {}));
  const cp = created.payload;
  const org = obj(cp.organization);
  const team0 = str(cp.team) ?? NONE;
  const level0 = str(cp.level) ?? learned.get(team0) ?? NONE;
  if (team0 !== NONE && level0 !== NONE) learned.set(team0, level0);

  const f: TicketFacts = {
    ticketId,
    createdAt: created.at,
    priority: str(cp.priority) ?? 'normal',
    channel: str(cp.channel) ?? 'unknown',
    tier: str(org.tier) ?? str(cp.organization_tier) ?? options.tier ?? 'unknown',
    organizationId: str(org.id) ?? str(cp.organization_id),
    status: 'new',
    statusSince: created.at,
    statusMs: { new: 0, open: 0, pending: 0, on_hold: 0 },
    level: level0,
    team: team0,
    firstLevel: level0,
    teamsVisited: [],
    levelsVisited: [],
    escalations: 0,
    firstEscalatedAt: null,
    deescalations: 0,
    reassignments: 0,
    teamMoves: 0,
    bounces: 0,
    publicAgentReplies: 0,
    firstResponder: null,
    firstRepliedAt: null,
    solvedAt: null,
    solvedLevel: null,
    breaches: 0,
    sla: emptySla(),
    csat: null,
    rootCause: null,
  };
  const stints: Stint[] = [];
  const open: Record<StintKind, Stint | null> = { team: null, level: null };
  const seqs: Record<StintKind, number> = { team: 0, level: 0 };
  const cycleBreached = new Set<Metric>();
  /** How each metric's clock last ended, until a new cycle starts: a reopen resumes the same clock, so its end is undone. */
  const lastEnd = new Map<Metric, { met: boolean; stopped: boolean }>();
  const inactive = () => f.status === 'solved' || f.status === 'closed';

  const enter = (kind: StintKind, key: string, at: number, by: StintEntry, esc?: Record<string, unknown>): void => {
    const s: Stint = {
      ticketId,
      kind,
      seq: seqs[kind]++,
      key,
      enteredAt: at,
      enteredBy: by,
      leftAt: null,
      leftBy: null,
      heldMs: 0,
      activeSince: inactive() ? null : at,
      breaches: 0,
      reason: kind === 'team' && esc ? (str(esc.reason) ?? 'other') : null,
      rule: kind === 'team' && esc ? str(esc.rule) : null,
      escalationKind: kind === 'team' && esc ? str(esc.kind) : null,
    };
    stints.push(s);
    open[kind] = s;
    const visited = kind === 'team' ? f.teamsVisited : f.levelsVisited;
    if (!visited.includes(key)) visited.push(key);
  };
  const leave = (kind: StintKind, at: number, by: StintEntry): void => {
    const s = open[kind];
    if (!s) return;
    if (s.activeSince !== null) s.heldMs += Math.max(0, at - s.activeSince);
    s.activeSince = null;
    s.leftAt = at;
    s.leftBy = by;
    open[kind] = null;
  };
  const teamsLeft = new Set<string>();
  const move = (toTeam: string, toLevel: string, at: number, by: StintEntry, esc?: Record<string, unknown>): void => {
    if (toTeam !== f.team) {
      f.teamMoves += 1;
      if (teamsLeft.has(toTeam)) f.bounces += 1;
      teamsLeft.add(f.team);
      leave('team', at, by);
      enter('team', toTeam, at, by, esc);
    }
    if (toLevel !== f.level) {
      leave('level', at, by);
      enter('level', toLevel, at, by);
    }
    f.team = toTeam;
    f.level = toLevel;
  };

  enter('team', team0, created.at, 'created');
  enter('level', level0, created.at, 'created');

  for (const e of events) {
    const p = e.payload;
    switch (e.type) {
      case 'status.changed': {
        const to = str(p.to) ?? str(p.status);
        if (!to || to === f.status) break;
        const wasInactive = inactive();
        if ((WAIT_STATUSES as readonly string[]).includes(f.status)) f.statusMs[f.status as WaitStatus] += Math.max(0, e.at - f.statusSince);
        f.status = to;
        f.statusSince = e.at;
        if (to === 'solved') {
          f.solvedAt = e.at;
          f.solvedLevel = f.level;
        } else if (to !== 'closed') {
          f.solvedAt = null;
          f.solvedLevel = null;
        }
        const nowInactive = inactive();
        for (const s of [open.team, open.level]) {
          if (!s) continue;
          if (!wasInactive && nowInactive && s.activeSince !== null) {
            s.heldMs += Math.max(0, e.at - s.activeSince);
            s.activeSince = null;
          } else if (wasInactive && !nowInactive) {
            s.activeSince = e.at;
          }
        }
        break;
      }
      case 'ticket.escalated':
      case 'ticket.deescalated': {
        const up = e.type === 'ticket.escalated';
        const fromTeam = str(p.from_team);
        const fromLevel = str(p.from_level);
        if (fromTeam && fromLevel) learned.set(fromTeam, fromLevel);
        const toTeam = str(p.to_team) ?? f.team;
        const toLevel = str(p.to_level) ?? learned.get(toTeam) ?? f.level;
        learned.set(toTeam, toLevel);
        if (up) {
          f.escalations += 1;
          f.firstEscalatedAt ??= e.at;
        } else {
          f.deescalations += 1;
        }
        move(toTeam, toLevel, e.at, up ? 'escalated' : 'deescalated', up ? p : undefined);
        break;
      }
      case 'ticket.assigned': {
        const count = num(p.reassignments);
        if (count !== null) f.reassignments = Math.max(f.reassignments, count);
        else if (p.reassignment === true) f.reassignments += 1;
        const toTeam = str(p.team);
        if (toTeam && toTeam !== f.team) move(toTeam, str(p.level) ?? learned.get(toTeam) ?? f.level, e.at, 'transferred');
        break;
      }
      case 'comment.added':
        if (p.public === true && AGENT_ROLES.has(str(p.author_role) ?? '')) {
          f.publicAgentReplies += 1;
          if (f.firstRepliedAt === null) {
            f.firstRepliedAt = e.at;
            f.firstResponder = str(e.actor) ?? 'agent';
          }
        }
        break;
      case 'priority.changed':
        f.priority = str(p.to) ?? str(p.priority) ?? f.priority;
        break;
      case 'sla.applied':
        if (isMetric(p.metric) && p.reapplied !== true) {
          cycleBreached.delete(p.metric);
          lastEnd.delete(p.metric);
        }
        break;
      case 'sla.resumed': {
        const ended = isMetric(p.metric) ? lastEnd.get(p.metric) : undefined;
        if (!ended || !isMetric(p.metric)) break;
        const t = f.sla[p.metric];
        t.ended -= 1;
        if (ended.met) t.met -= 1;
        if (ended.stopped) t.stopped -= 1;
        lastEnd.delete(p.metric);
        break;
      }
      case 'sla.breached':
        if (!isMetric(p.metric)) break;
        f.sla[p.metric].breached += 1;
        f.breaches += 1;
        cycleBreached.add(p.metric);
        if (open.team) open.team.breaches += 1;
        if (open.level) open.level.breaches += 1;
        break;
      case 'sla.fulfilled': {
        if (!isMetric(p.metric)) break;
        const late = typeof p.breached === 'boolean' ? p.breached : cycleBreached.has(p.metric);
        f.sla[p.metric].ended += 1;
        if (!late) f.sla[p.metric].met += 1;
        lastEnd.set(p.metric, { met: !late, stopped: false });
        break;
      }
      case 'sla.stopped':
        if (!isMetric(p.metric)) break;
        f.sla[p.metric].ended += 1;
        f.sla[p.metric].stopped += 1;
        lastEnd.set(p.metric, { met: false, stopped: true });
        break;
      case 'csat.received': {
        const rating = num(p.rating);
        if (rating !== null) f.csat = rating;
        break;
      }
      case 'review.recorded':
        f.rootCause = str(p.root_cause) ?? f.rootCause;
        break;
      default:
        break;
    }
  }
  return { facts: f, stints };
}

/** Held time of a stint as of an instant: accumulated plus the running part. */
export function heldAsOf(s: Pick<Stint, 'heldMs' | 'activeSince'>, asOf: number): number {
  return s.heldMs + (s.activeSince !== null ? Math.max(0, asOf - s.activeSince) : 0);
}

export function isComplete(s: Pick<Stint, 'leftAt' | 'activeSince'>): boolean {
  return s.leftAt !== null || s.activeSince === null;
}
