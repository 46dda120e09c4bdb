/**
 * Escalation-risk prediction (issue 14): the shapes every part of the risk feature agrees on.
 * Types only, plus the band thresholds. Pure.
 *
 * - A ticket's *memo* (`RiskMemo`) is plain JSON folded from everything that happened to it
 *   (`FoldRiskMemo`): counters and instants the features need that the engine state does not
 *   keep. The live server stores it beside the ticket; the simulator and the offline replay
 *   keep it in memory. It is folded whether or not a model is in force.
 * - A *model* (`RiskModel`, loaded from a model file) scores a ticket at a moment from its
 *   engine state, its memo and its requester's profile, and explains the score.
 */
import type { EngineEvent, EngineInput, TicketState } from '../engine/types.ts';

export type RiskBand = 'low' | 'medium' | 'high';
export const RISK_BANDS: readonly RiskBand[] = ['low', 'medium', 'high'];

/** Band boundaries: low below 0.3, medium below 0.6, high from 0.6. */
export const RISK_BAND_FLOORS: Readonly<Record<RiskBand, number>> = { low: 0, medium: 0.3, high: 0.6 };

export function riskBand(risk: number): RiskBand {
  if (risk >= RISK_BAND_FLOORS.high) return 'high';
  if (risk >= RISK_BAND_FLOORS.medium) return 'medium';
  return 'low';
}

/** One reason: a feature in words an agent understands, and its signed effect on the probability. */
export interface RiskReason {
  feature: string;
  effect: number;
}

export interface RiskScore {
  /** Probability (0–1) of the bad outcome the model was trained for. */
  risk: number;
  band: RiskBand;
  /** Non-empty; the features that moved the score most, largest effect first. */
  reasons: RiskReason[];
}

/** Plain JSON, owned by the risk module; everyone else stores and passes it unread. */
export type RiskMemo = Readonly<Record<string, unknown>>;

/** One thing that happened to a ticket: an input (null for a timer firing) and the engine's events. */
export interface RiskStep {
  at: number;
  input: EngineInput | null;
  events: readonly EngineEvent[];
}

export type FoldRiskMemo = (memo: RiskMemo | null, step: RiskStep) => RiskMemo;

/** The requester's other tickets, as known at the moment of scoring (this ticket excluded). */
export interface CustomerProfile {
  /** Open (not solved or closed) tickets now. */
  openTickets: number;
  /** Tickets created in the 90 days before the moment. */
  tickets90d: number;
  /** Of those, tickets with an SLA breach recorded before the moment. */
  breaches90d: number;
  /** Of those, tickets escalated before the moment. */
  escalations90d: number;
}

export const EMPTY_PROFILE: CustomerProfile = { openTickets: 0, tickets90d: 0, breaches90d: 0, escalations90d: 0 };

/** What a model scores: the ticket at one moment. */
export interface RiskSubject {
  at: number;
  state: TicketState;
  memo: RiskMemo;
  profile: CustomerProfile;
}

export type RiskTarget = 'breach' | 'escalation';

export interface RiskModelMeta {
  /** Content hash of the model file: identifies the model in stored scores. */
  id: string;
  target: RiskTarget;
  /** When training ran (ISO-8601). */
  trainedAt: string;
  /** The latest ticket opening in the training data (ISO-8601): quality is measured after it. */
  trainedThrough: string;
  tickets: number;
  /** Validation figures on the time-ordered validation slice. */
  validation: { auc: number; tickets: number };
}

export interface RiskModel {
  readonly meta: RiskModelMeta;
  score(subject: RiskSubject): RiskScore;
}
