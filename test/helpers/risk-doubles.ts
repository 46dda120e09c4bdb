// Test doubles for the risk interface (src/domain/risk/api.ts): a model whose risk is a function
// of priority (plus the memo's line count, so scores move as a ticket goes on), a fold that
// counts steps, and a profile source that counts a requester's tickets. Real ones come from
// src/domain/risk/ (another part of issue 14) through src/app/risk-wiring.ts.
import type { TicketState } from '../../src/domain/engine/types.ts';
import { riskBand, type CustomerProfile, type FoldRiskMemo, type RiskModel, type RiskModelMeta, type RiskSubject } from '../../src/domain/risk/api.ts';
import type { ProfileSource } from '../../src/domain/risk/live-deps.ts';
import type { RiskDeps } from '../../src/app/risk-wiring.ts';

export const countingFold: FoldRiskMemo = (memo, step) => ({
  lines: Number(memo?.lines ?? 0) + (step.input ? 1 : 0),
  steps: Number(memo?.steps ?? 0) + 1,
  events: Number(memo?.events ?? 0) + step.events.length,
});

export const PRIORITY_RISK: Record<string, number> = { low: 0.05, normal: 0.2, high: 0.5, urgent: 0.8 };

export function meta(id = 'double-1'): RiskModelMeta {
  return { id, target: 'breach', trainedAt: '2026-11-01T00:00:00.000Z', trainedThrough: '2026-10-31T00:00:00.000Z', tickets: 100, validation: { auc: 0.8, tickets: 30 } };
}

/** Risk from priority (a file may override the table); `perLine` adds that much per folded input line. */
export function priorityModel(id = 'double-1', table: Record<string, number> = PRIORITY_RISK, perLine = 0): RiskModel & { calls: RiskSubject[] } {
  const calls: RiskSubject[] = [];
  return {
    meta: meta(id),
    calls,
    score(subject) {
      calls.push(subject);
      const lines = Number(subject.memo.lines ?? 0);
      const risk = Math.min(1, (table[subject.state.priority] ?? 0.1) + perLine * Math.max(0, lines - 1));
      return { risk, band: riskBand(risk), reasons: [{ feature: `priority ${subject.state.priority}`, effect: Number((risk - 0.1).toFixed(2)) }, { feature: `${lines} updates`, effect: 0.01 }] };
    },
  };
}

/** A model file for the double loader: `{ "double": true, "id": "...", "risk": { priority: p } }`. */
export function modelFile(id = 'double-1', risk: Record<string, number> = PRIORITY_RISK): Record<string, unknown> {
  return { double: true, id, risk };
}

export function loadDouble(file: unknown): RiskModel {
  const f = file as { double?: unknown; id?: unknown; risk?: unknown };
  if (typeof f !== 'object' || f === null || f.double !== true || typeof f.id !== 'string') {
    throw new Error('not a risk model file: expected { "double": true, "id": ... }');
  }
  return priorityModel(f.id, (f.risk as Record<string, number> | undefined) ?? PRIORITY_RISK);
}

export class CountingProfiles implements ProfileSource {
  readonly byRequester = new Map<string, Set<string>>();
  observe(state: TicketState): void {
    if (!state.requester) return;
    const set = this.byRequester.get(state.requester) ?? new Set<string>();
    set.add(state.ref);
    this.byRequester.set(state.requester, set);
  }
  profile(state: TicketState): CustomerProfile {
    const n = state.requester ? (this.byRequester.get(state.requester)?.size ?? 1) - 1 : 0;
    return { openTickets: n, tickets90d: n, breaches90d: 0, escalations90d: 0 };
  }
}

export function doubleDeps(): RiskDeps {
  return { fold: countingFold, load: loadDouble, profiles: () => new CountingProfiles() };
}
