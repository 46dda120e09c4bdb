/**
 * The post-resolution review of one ticket: its escalation history in one view — every
 * escalation and de-escalation (who, when, why, acknowledged when), how long it stayed at
 * each level and with each team, and how each SLA clock ended.
 */
import { deriveTicketRollup, heldAsOf, type DeriveOptions, type ReportEvent } from './ticket-facts.ts';

export interface ReviewEvent extends ReportEvent {
  actor: string;
}

export interface ReviewMove {
  at: number;
  type: 'escalated' | 'deescalated' | 'transferred' | 'refused';
  by: string;
  fromLevel: string | null;
  fromTeam: string | null;
  toLevel: string | null;
  toTeam: string | null;
  reason: string | null;
  rule: string | null;
  kind: string | null;
  summary: string | null;
  acknowledgedAt: number | null;
}

export interface ReviewStay {
  kind: 'level' | 'team';
  key: string;
  enteredAt: number;
  /** When the stay ended: the move away, or the ticket's solve for the last stay of a solved ticket. */
  leftAt: number | null;
  /** `moved`: the ticket left; `solved`: the ticket was solved (or closed) there; `open`: still there. */
  ended: 'moved' | 'solved' | 'open';
  heldMs: number;
  breaches: number;
}

export interface ReviewClock {
  metric: string;
  startedAt: number;
  due: string | null;
  breachedAt: number | null;
  endedAt: number | null;
  outcome: 'met' | 'late' | 'stopped' | 'running';
}

export interface TicketReview {
  ticketId: string;
  createdAt: number;
  solvedAt: number | null;
  status: string;
  level: string;
  team: string;
  moves: ReviewMove[];
  stays: ReviewStay[];
  clocks: ReviewClock[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function buildReview(ticketId: string, events: readonly ReviewEvent[], asOf: number, options: DeriveOptions = {}): TicketReview | null {
  const rollup = deriveTicketRollup(ticketId, events, options);
  if (!rollup) return null;
  const moves: ReviewMove[] = [];
  const clocks: ReviewClock[] = [];
  const current = new Map<string, ReviewClock>();
  for (const e of events) {
    const p = e.payload;
    if (e.type === 'ticket.escalated' || e.type === 'ticket.deescalated' || e.type === 'escalation.refused' || (e.type === 'ticket.assigned' && str(p.team))) {
      const doc = p.documentation && typeof p.documentation === 'object' ? (p.documentation as Record<string, unknown>) : {};
      moves.push({
        at: e.at,
        type: e.type === 'ticket.escalated' ? 'escalated' : e.type === 'ticket.deescalated' ? 'deescalated' : e.type === 'escalation.refused' ? 'refused' : 'transferred',
        by: e.actor,
        fromLevel: str(p.from_level),
        fromTeam: str(p.from_team),
        toLevel: str(p.to_level),
        toTeam: str(p.to_team) ?? str(p.team),
        reason: str(p.reason) ?? str(p.why),
        rule: str(p.rule),
        kind: str(p.kind),
        summary: str(doc.summary),
        acknowledgedAt: null,
      });
    } else if (e.type === 'escalation.acknowledged') {
      // acknowledgement refers to the latest escalation that awaits it (the contract (docs/contract.md) §8.7)
      const target = [...moves].reverse().find((m) => m.type === 'escalated' && m.acknowledgedAt === null);
      if (target) target.acknowledgedAt = e.at;
    } else if (e.type.startsWith('sla.')) {
      const metric = str(p.metric);
      if (!metric) continue;
      let clock = current.get(metric);
      if (e.type === 'sla.applied' && (p.reapplied !== true || !clock)) {
        clock = { metric, startedAt: e.at, due: str(p.due), breachedAt: null, endedAt: null, outcome: 'running' };
        clocks.push(clock);
        current.set(metric, clock);
      } else if (!clock) continue;
      else if (e.type === 'sla.applied' || e.type === 'sla.resumed') {
        clock.due = str(p.due) ?? clock.due;
        if (clock.endedAt !== null) {
          clock.endedAt = null;
          clock.outcome = 'running';
        }
      } else if (e.type === 'sla.breached') clock.breachedAt ??= e.at;
      else if (e.type === 'sla.fulfilled' || e.type === 'sla.stopped') {
        clock.endedAt = e.at;
        clock.outcome = e.type === 'sla.stopped' ? 'stopped' : p.breached === true || clock.breachedAt !== null ? 'late' : 'met';
      }
    }
  }
  const f = rollup.facts;
  return {
    ticketId,
    createdAt: f.createdAt,
    solvedAt: f.solvedAt,
    status: f.status,
    level: f.level,
    team: f.team,
    moves,
    // A solved or closed ticket's last stays end at its solve: nothing is held there any more.
    stays: rollup.stints.map((s) => {
      const over = s.leftAt === null && (f.status === 'solved' || f.status === 'closed');
      const leftAt = s.leftAt ?? (over ? (f.solvedAt ?? f.statusSince) : null);
      return { kind: s.kind, key: s.key, enteredAt: s.enteredAt, leftAt, ended: s.leftAt !== null ? 'moved' : over ? 'solved' : 'open', heldMs: heldAsOf(s, asOf), breaches: s.breaches };
    }),
    clocks,
  };
}
