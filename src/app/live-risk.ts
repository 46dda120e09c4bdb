/**
 * Risk scoring inside a ticket change (issue 14): fold the change's steps into the memo, read
 * the requester's profile (one query), let the model score, and apply the score through the
 * engine (`risk.scored`), so `risk.changed` and the rules it triggers are part of the change.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../domain/engine/engine.ts';
import type { EngineEvent, TicketState } from '../domain/engine/types.ts';
import type { FoldRiskMemo, RiskMemo, RiskStep } from '../domain/risk/api.ts';
import { foldStep, scoredInput } from '../domain/risk/live-deps.ts';
import { customerProfile, type RiskColumns } from '../store/risk-repo.ts';
import type { Database } from '../store/schema.ts';
import type { ActiveRiskModel } from './risk-registry.ts';

export function foldSteps(fold: FoldRiskMemo, memo: RiskMemo | null, steps: readonly RiskStep[]): RiskMemo {
  let m = memo;
  for (const s of steps) m = foldStep(fold, m, s.at, s.input, s.events);
  return m ?? {};
}

/** A score left in a state by a model no longer in force (switched off): the ticket has none. */
export function withoutStaleScore(state: TicketState, model: ActiveRiskModel | null): TicketState {
  return !model && state.riskScore ? { ...state, riskScore: null } : state;
}

export interface ScoredChange {
  state: TicketState;
  /** `risk.changed` and what the rules did about it; empty within a band. */
  events: EngineEvent[];
  columns: RiskColumns;
}

/**
 * Scores `state` at `at` with the model in force (none, or a solved/closed ticket: the memo
 * only). `scoredBy`: the model that scored the ticket before (its `risk_model` column), to tell
 * the first score of this model (`risk_opening`).
 */
export async function scoreChange(
  trx: Kysely<Database>,
  engine: Engine,
  model: ActiveRiskModel | null,
  ticket: { id: string; requesterId: string },
  state: TicketState,
  memo: RiskMemo,
  scoredBy: string | null,
  at: number,
  fold: FoldRiskMemo,
): Promise<ScoredChange> {
  if (!model || state.status === 'solved' || state.status === 'closed') return { state, events: [], columns: { memo } };
  const profile = await customerProfile(trx, ticket.requesterId, ticket.id, at);
  // A model that fails on a ticket (or gives no probability) must not stop the people working
  // it: the change goes through unscored, and the failure is counted (GET /api/v1/risk/model).
  let input;
  try {
    input = scoredInput(model.model, state, memo, profile, at);
  } catch (e) {
    model.failures.count++;
    model.failures.last = `${state.ref}: ${(e as Error).message}`;
    return { state, events: [], columns: { memo } };
  }
  const result = engine.apply(state, input, at);
  if (!result.ok) {
    model.failures.count++;
    model.failures.last = `${state.ref}: ${result.message}`;
    return { state, events: [], columns: { memo } };
  }
  const after = result.events.length > 0 ? foldStep(fold, memo, at, input, result.events) : memo;
  return {
    state: result.state,
    events: result.events,
    columns: { memo: after, score: { risk: input.risk, band: input.band, reasons: input.reasons, at, model: model.meta.id, opening: scoredBy !== model.meta.id } },
  };
}
