/**
 * The reporting rollup tables as Kysely sees them (migrations 0006, 0007). They are derived data:
 * every row can be recomputed from the event log (`rebuildRollups`), and the commit path
 * keeps them current in the same transaction as the events (`applyToRollups`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** One row per ticket: the facts of ticket-facts.ts, flattened. */
export type TicketFactsTable = {
  ticket_id: string;
  created_at: number;
  solved_at: number | null;
  priority: string;
  channel: string;
  tier: string;
  organization_id: string | null;
  status: string;
  status_since: number;
  ms_new: number;
  ms_open: number;
  ms_pending: number;
  ms_on_hold: number;
  level: string;
  team: string;
  first_level: string;
  /** `|a|b|`: every team / level visited, for the filters. */
  teams_visited: string;
  levels_visited: string;
  escalations: number;
  first_escalated_at: number | null;
  deescalations: number;
  reassignments: number;
  /** Migration 0012. */
  team_moves: number;
  bounces: number;
  first_responder: string | null;
  first_replied_at: number | null;
  public_agent_replies: number;
  solved_level: string | null;
  breaches: number;
  fr_ended: number;
  fr_met: number;
  fr_breached: number;
  fr_stopped: number;
  nr_ended: number;
  nr_met: number;
  nr_breached: number;
  nr_stopped: number;
  pu_ended: number;
  pu_met: number;
  pu_breached: number;
  pu_stopped: number;
  res_ended: number;
  res_met: number;
  res_breached: number;
  res_stopped: number;
  csat: number | null;
  /** The latest review's root cause (migration 0013). */
  root_cause: string | null;
};

/** One row per stint (a stay with a team or at a level). */
export type TicketStintsTable = {
  ticket_id: string;
  /** The ticket's creation (denormalised: the cohort's stints are read by this range). */
  ticket_created_at: number;
  kind: string;
  seq: number;
  key: string;
  entered_at: number;
  entered_by: string;
  left_at: number | null;
  left_by: string | null;
  held_ms: number;
  active_since: number | null;
  breaches: number;
  reason: string | null;
  rule: string | null;
  escalation_kind: string | null;
};

export type ReportingTables = {
  ticket_facts: TicketFactsTable;
  ticket_stints: TicketStintsTable;
};

export type ReportingDb = Kysely<Database & ReportingTables>;

export function reportingDb(db: Kysely<Database>): ReportingDb {
  return db.withTables<ReportingTables>();
}
