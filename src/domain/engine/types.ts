/**
 * The engine's vocabulary.
 *
 * A ticket's engine state (`TicketState`) is plain JSON: the live server stores it beside the
 * ticket row and the simulator keeps it in memory. The engine never mutates the state it is
 * given; each call returns the next state, the events it caused (the contract (docs/contract.md) §5) and — derived
 * from the state — the ticket's pending timers.
 */
import type { Metric, Priority, ReasonCategory, Status } from '../policy/types.ts';
import type { RiskBand, RiskReason } from '../risk/api.ts';

export type ClockStatus = 'running' | 'paused' | 'fulfilled' | 'stopped';

/**
 * One SLA clock. While running, business time elapsed = `elapsed` + business time in
 * [since, now) of the SLA calendar; while paused, `since` is null and `elapsed` is final.
 * A cycle is one start of the clock (periodic_update and next_response start many cycles);
 * warnings fire once per cycle and a breach once per cycle.
 */
export interface ClockState {
  metric: Metric;
  status: ClockStatus;
  /** Target in ms of business time. */
  target: number;
  elapsed: number;
  since: number | null;
  startedAt: number;
  cycle: number;
  /** Threshold labels already fired in this cycle (`75%`, `10m`). */
  warned: string[];
  breached: boolean;
  breachedAt: number | null;
}

export type FlagName = 'legal' | 'churn' | 'billing' | 'security' | 'frustration';

export interface PendingAck {
  escalationId: string;
  at: number;
  /** Rules with an `unacknowledged` trigger that already fired for this escalation. */
  fired: string[];
  /** Who made the escalation (`rule:<id>`, an email, `customer`) and the team it went to; absent in states written before they were kept. */
  by?: string;
  team?: string;
}

/** The latest customer request that escalated the ticket; `answered` once an agent replied publicly after it. */
export interface CustomerRequestState {
  at: number;
  escalationId: string;
  answered: boolean;
}

/** The latest risk score a model gave the ticket (issue 14); the band is what `risk.changed` tracks. */
export interface RiskScoreState {
  risk: number;
  band: RiskBand;
  reasons: RiskReason[];
  /** The model's id (RiskModelMeta.id). */
  model: string;
  at: number;
}

export interface TicketState {
  ref: string;
  createdAt: number;
  subject: string;
  body: string;
  priority: Priority;
  status: Status;
  channel: string;
  category: string | null;
  tags: string[];
  organization: { id: string; tier: string; contract_value: number | null };
  requester: string | null;
  assignee: string | null;
  owner: string | null;
  team: string;
  level: string;
  reassignments: number;
  /** Changes of team (escalation, de-escalation, transfer) and how many went back to a team already left (§1). */
  teamMoves: number;
  bounces: number;
  /** The teams the ticket has left, in the order it first left them. */
  teamsLeft: string[];
  reopens: number;
  escalations: number;
  risk: Record<FlagName, boolean>;
  riskSignals: Partial<Record<FlagName, string[]>>;
  sentiment: number;
  /** An agent has replied publicly at least once. */
  agentReplied: boolean;
  /** The SLA policy in force (id) and the policy version it was applied under. */
  slaPolicy: string | null;
  policyVersion: number;
  clocks: Partial<Record<Metric, ClockState>>;
  /** Start of the current quiet period (creation, last public comment, or reopen). */
  quietSince: number;
  /** Idle rules that already fired in the current quiet period. */
  idleFired: string[];
  pendingAck: PendingAck | null;
  /** Sequence for escalation ids local to the ticket. */
  escalationSeq: number;
  customerRequest?: CustomerRequestState | null;
  /** The latest risk score (absent in states written before risk prediction, and while no model is in force). */
  riskScore?: RiskScoreState | null;
}

/** An event the engine emits; `data` holds the type's payload (metric, due, to_level, …). */
export interface EngineEvent {
  at: number;
  ticket: string;
  type: string;
  /** `system`, `rule:<id>`, `agent`, `customer`, or a user's email. */
  actor: string;
  /** Internal events are never shown to customers. */
  internal: boolean;
  data: Record<string, unknown>;
}

export interface Documentation {
  summary: string;
  steps_taken: string;
  needs_attention: string;
}

export interface NewTicket {
  ref: string;
  priority: Priority;
  organization: { id: string; tier: string; contract_value?: number | null };
  subject: string;
  body: string;
  channel: string;
  tags?: string[];
  team?: string;
  category?: string | null;
  requester?: string | null;
  assignee?: string | null;
  /** Another system's assignment group (workload `group`): informational, the engine ignores it. */
  group?: string;
}

/** What can happen to a ticket from outside the engine (API, workload line). */
export type EngineInput =
  | { type: 'ticket.created'; ticket: NewTicket; actor?: string }
  | { type: 'comment.added'; author: 'agent' | 'customer'; public: boolean; body: string; actor?: string }
  | { type: 'status.changed'; status: Status; actor?: string }
  | { type: 'priority.changed'; priority: Priority; actor?: string }
  | {
      type: 'ticket.assigned';
      assignee: string | null;
      team?: string;
      reason?: string;
      actor?: string;
      /** Another system's assignment group (workload `group`): informational, the engine ignores it. */
      group?: string;
    }
  | { type: 'ticket.updated'; tags?: string[]; category?: string | null; actor?: string }
  | {
      type: 'ticket.escalated';
      toLevel?: string;
      toTeam?: string;
      reason: ReasonCategory;
      documentation?: Documentation;
      requireAck?: boolean;
      /** A customer's own request (policy `customer_requests`: where it goes, how often it escalates). */
      byCustomer?: boolean;
      /** The customer's words. */
      comment?: string;
      actor?: string;
    }
  | { type: 'ticket.deescalated'; toLevel?: string; toTeam?: string; reason: string; actor?: string }
  | { type: 'escalation.acknowledged'; actor?: string }
  /** A risk model scored the ticket (issue 14): stored; `risk.changed` when the band moves. */
  | { type: 'risk.scored'; risk: number; band: RiskBand; reasons: RiskReason[]; model: string };

/** A pending moment of a ticket: keyed so that a change replaces rather than duplicates. */
export interface Timer {
  key: string;
  due: number;
}

export type EngineResult =
  /** `stale`: a timer the state no longer owes; nothing happened. */
  | { ok: true; state: TicketState; events: EngineEvent[]; stale?: boolean }
  | { ok: false; code: string; message: string };

/** Cross-ticket facts the host supplies (the simulator from memory, the server from the database). */
export interface EngineHost {
  /** Next member for round robin within a team (the host keeps the cursor). */
  roundRobin(team: string, members: readonly string[]): string | null;
  /** The member with the fewest open tickets. */
  leastLoaded(team: string, members: readonly string[]): string | null;
}
