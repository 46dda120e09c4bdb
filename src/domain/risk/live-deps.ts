/**
 * What the live path and the simulator need from the risk module (issue 14), taken by
 * injection so that they do not depend on how the memo is folded, the model loaded or the
 * profile tracked. The composition points (src/risk-wiring.ts) hand in the real ones. Pure.
 */
import type { EngineEvent, EngineInput, TicketState } from '../engine/types.ts';
import type { CustomerProfile, FoldRiskMemo, RiskMemo, RiskModel, RiskStep } from './api.ts';

/**
 * Turns a model file (parsed JSON) into a model. Throws an Error whose message says what is
 * wrong with the file (it is shown to the person who gave it: CLI or the admin API's 422).
 */
export type LoadRiskModel = (file: unknown) => RiskModel;

/** The requesters' profiles as a replay goes (the simulator): told every step, asked at each scoring. */
export interface ProfileSource {
  /** One step of a ticket, in time order across all tickets; `state` is the ticket after it. */
  observe(state: TicketState, step: RiskStep): void;
  /** The requester's profile at `at`, this ticket excluded. */
  profile(state: TicketState, at: number): CustomerProfile;
}

/** The `risk.scored` input for a model's score of the ticket. */
export function scoredInput(model: RiskModel, state: TicketState, memo: RiskMemo, profile: CustomerProfile, at: number): Extract<EngineInput, { type: 'risk.scored' }> {
  const s = model.score({ at, state, memo, profile });
  return { type: 'risk.scored', risk: s.risk, band: s.band, reasons: s.reasons, model: model.meta.id };
}

/** Folds one step; a `risk.scored` step is folded as what it is to the ticket: system events with no outside input. */
export function foldStep(fold: FoldRiskMemo, memo: RiskMemo | null, at: number, input: EngineInput | null, events: readonly EngineEvent[]): RiskMemo {
  return fold(memo, { at, input: input?.type === 'risk.scored' ? null : input, events });
}
