/** Explicit mappers between the pure facts/stints and the rollup table rows. */
import type { Metric } from '../domain/policy/types.ts';
import type { Stint, StintEntry, StintKind, TicketFacts } from '../domain/reporting/ticket-facts.ts';
import type { TicketFactsTable, TicketStintsTable } from './schema.ts';

const SLA_PREFIX: Record<Metric, 'fr' | 'nr' | 'pu' | 'res'> = { first_response: 'fr', next_response: 'nr', periodic_update: 'pu', resolution: 'res' };

const joinKeys = (keys: string[]) => `|${keys.join('|')}|`;
const splitKeys = (text: string) => text.split('|').filter((k) => k !== '');

export function factsToRow(f: TicketFacts): TicketFactsTable {
  const row: TicketFactsTable = {
    ticket_id: f.ticketId,
    created_at: f.createdAt,
    solved_at: f.solvedAt,
    priority: f.priority,
    channel: f.channel,
    tier: f.tier,
    organization_id: f.organizationId,
    status: f.status,
    status_since: f.statusSince,
    ms_new: f.statusMs.new,
    ms_open: f.statusMs.open,
    ms_pending: f.statusMs.pending,
    ms_on_hold: f.statusMs.on_hold,
    level: f.level,
    team: f.team,
    first_level: f.firstLevel,
    teams_visited: joinKeys(f.teamsVisited),
    levels_visited: joinKeys(f.levelsVisited),
    escalations: f.escalations,
    first_escalated_at: f.firstEscalatedAt,
    deescalations: f.deescalations,
    reassignments: f.reassignments,
    team_moves: f.teamMoves,
    bounces: f.bounces,
    first_responder: f.firstResponder,
    first_replied_at: f.firstRepliedAt,
    public_agent_replies: f.publicAgentReplies,
    solved_level: f.solvedLevel,
    breaches: f.breaches,
    fr_ended: 0, fr_met: 0, fr_breached: 0, fr_stopped: 0,
    nr_ended: 0, nr_met: 0, nr_breached: 0, nr_stopped: 0,
    pu_ended: 0, pu_met: 0, pu_breached: 0, pu_stopped: 0,
    res_ended: 0, res_met: 0, res_breached: 0, res_stopped: 0,
    csat: f.csat,
    root_cause: f.rootCause,
  };
  for (const [m, p] of Object.entries(SLA_PREFIX) as Array<[Metric, (typeof SLA_PREFIX)[Metric]]>) {
    row[`${p}_ended`] = f.sla[m].ended;
    row[`${p}_met`] = f.sla[m].met;
    row[`${p}_breached`] = f.sla[m].breached;
    row[`${p}_stopped`] = f.sla[m].stopped;
  }
  return row;
}

export function rowToFacts(r: TicketFactsTable): TicketFacts {
  const sla = {} as TicketFacts['sla'];
  for (const [m, p] of Object.entries(SLA_PREFIX) as Array<[Metric, (typeof SLA_PREFIX)[Metric]]>) {
    sla[m] = { ended: r[`${p}_ended`], met: r[`${p}_met`], breached: r[`${p}_breached`], stopped: r[`${p}_stopped`] };
  }
  return {
    ticketId: r.ticket_id,
    createdAt: r.created_at,
    priority: r.priority,
    channel: r.channel,
    tier: r.tier,
    organizationId: r.organization_id,
    status: r.status,
    statusSince: r.status_since,
    statusMs: { new: r.ms_new, open: r.ms_open, pending: r.ms_pending, on_hold: r.ms_on_hold },
    level: r.level,
    team: r.team,
    firstLevel: r.first_level,
    teamsVisited: splitKeys(r.teams_visited),
    levelsVisited: splitKeys(r.levels_visited),
    escalations: r.escalations,
    firstEscalatedAt: r.first_escalated_at,
    deescalations: r.deescalations,
    reassignments: r.reassignments,
    teamMoves: r.team_moves,
    bounces: r.bounces,
    firstResponder: r.first_responder,
    firstRepliedAt: r.first_replied_at === null ? null : Number(r.first_replied_at),
    publicAgentReplies: r.public_agent_replies,
    solvedAt: r.solved_at,
    solvedLevel: r.solved_level,
    breaches: r.breaches,
    sla,
    csat: r.csat,
    rootCause: r.root_cause ?? null,
  };
}

export function stintToRow(s: Stint, ticketCreatedAt: number): TicketStintsTable {
  return {
    ticket_id: s.ticketId,
    ticket_created_at: ticketCreatedAt,
    kind: s.kind,
    seq: s.seq,
    key: s.key,
    entered_at: s.enteredAt,
    entered_by: s.enteredBy,
    left_at: s.leftAt,
    left_by: s.leftBy,
    held_ms: s.heldMs,
    active_since: s.activeSince,
    breaches: s.breaches,
    reason: s.reason,
    rule: s.rule,
    escalation_kind: s.escalationKind,
  };
}

export function rowToStint(r: TicketStintsTable): Stint {
  return {
    ticketId: r.ticket_id,
    kind: r.kind as StintKind,
    seq: r.seq,
    key: r.key,
    enteredAt: r.entered_at,
    enteredBy: r.entered_by as StintEntry,
    leftAt: r.left_at,
    leftBy: r.left_by as StintEntry | null,
    heldMs: r.held_ms,
    activeSince: r.active_since,
    breaches: r.breaches,
    reason: r.reason,
    rule: r.rule,
    escalationKind: r.escalation_kind,
  };
}
