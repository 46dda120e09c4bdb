/**
 * The one composition point of risk prediction (issue 14): the real memo fold, model loader and
 * profile tracker of src/domain/risk/ handed to the simulator (escalon simulate --model), the
 * live engine, the scheduler's rescoring and `escalon risk use` / the admin API. Everything
 * else takes them by injection (src/domain/risk/live-deps.ts).
 *
 * With no deps (null) risk prediction is absent: nothing is folded or scored, `--model` and
 * `risk use` say the build has no risk models.
 */
import type { FoldRiskMemo } from '../domain/risk/api.ts';
import type { LoadRiskModel, ProfileSource } from '../domain/risk/live-deps.ts';
import { foldRiskMemo } from '../domain/risk/memo.ts';
import { loadRiskModel } from '../domain/risk/model.ts';
import { ProfileTracker } from '../domain/risk/profile.ts';

export interface RiskDeps {
  fold: FoldRiskMemo;
  load: LoadRiskModel;
  /** A fresh profile source for one replay (the simulator); the server reads profiles by SQL. */
  profiles: () => ProfileSource;
}

/** The tracker keeps per-requester histories; the simulator asks about the ticket's own requester. */
function trackedProfiles(): ProfileSource {
  const tracker = new ProfileTracker();
  return {
    observe: (state, step) => tracker.observe(state, step.events),
    profile: (state, at) => tracker.profile(state.requester, at, state.ref),
  };
}

const REAL: RiskDeps = { fold: foldRiskMemo, load: loadRiskModel, profiles: trackedProfiles };

let override: RiskDeps | null | undefined;

export function riskDeps(): RiskDeps | null {
  if (override !== undefined) return override;
  return REAL;
}

/** Tests (and only tests) put doubles in place; `undefined` restores the real ones. */
export function setRiskDepsForTests(deps: RiskDeps | null | undefined): void {
  override = deps;
}
