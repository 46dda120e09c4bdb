/**
 * Measuring a risk model out of time (issue 14): replay a workload, score every line of the
 * tickets opened after the model's training data, and report discrimination (ROC-AUC, PR-AUC)
 * at opening and after 2, 4 and 8 lines, recall at alert budgets and calibration.
 */
import type { Policy } from '../domain/policy/types.ts';
import type { RiskModel, RiskSubject } from '../domain/risk/api.ts';
import { type ReliabilityBin, brier, prAuc, recallAtBudget, reliability, rocAuc } from '../domain/risk/metrics.ts';
import type { WorkloadLine } from '../domain/workload.ts';
import { replay } from './replay.ts';
import { openings } from './train.ts';

export const CHECKPOINTS = [1, 2, 4, 8] as const;
export const BUDGETS = [0.1, 0.2, 0.3] as const;

export interface Checkpoint {
  /** Scores after this many lines of each ticket (1 = at opening). */
  lines: number;
  tickets: number;
  positives: number;
  rocAuc: number | null;
  prAuc: number | null;
  recall: Record<string, number | null>;
  brier: number | null;
}

export interface Evaluation {
  model: string;
  trainedThrough: string;
  /** Tickets evaluated, and whether only those opened after the model's training data. */
  tickets: number;
  afterTraining: boolean;
  skippedTrainingTickets: number;
  lines: number;
  checkpoints: Checkpoint[];
  /** Calibration over every scored line. */
  brier: number | null;
  reliability: ReliabilityBin[];
}

export class EvaluateError extends Error {}

type Scorer = RiskModel & { risk?: (s: RiskSubject) => number };

export function evaluateRiskModel(
  model: Scorer,
  lines: readonly WorkloadLine[],
  bad: ReadonlyMap<string, boolean>,
  policy: Policy,
  opts: { all?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Evaluation {
  const through = Date.parse(model.meta.trainedThrough);
  const opened = openings(lines);
  const chosen = new Set([...opened.entries()].filter(([, at]) => opts.all || at > through).map(([ref]) => ref));
  const missing = [...chosen].filter((ref) => !bad.has(ref));
  if (missing.length > 0) {
    throw new EvaluateError(
      `the labels have no outcome for ${missing.length} ticket(s) to evaluate, e.g. ${missing.slice(0, 5).join(', ')}: give every ticket of the workload an outcome`,
    );
  }
  if (chosen.size === 0) {
    throw new EvaluateError(
      `no ticket of the workload was opened after the model's training data (${model.meta.trainedThrough}): evaluate on later tickets, or pass --all`,
    );
  }
  const scores = new Map<string, number[]>();
  const score = (s: RiskSubject): number => (model.risk ? model.risk(s) : model.score(s).risk);
  replay(lines, {
    policy,
    onLine: ({ line, subject }) => {
      if (!chosen.has(line.ref)) return;
      const list = scores.get(line.ref);
      const r = score(subject);
      if (list) list.push(r);
      else scores.set(line.ref, [r]);
    },
    onProgress: opts.onProgress,
  });
  const checkpoints: Checkpoint[] = CHECKPOINTS.map((k) => {
    const s: number[] = [];
    const y: boolean[] = [];
    for (const [ref, list] of scores) {
      if (list.length < k) continue;
      s.push(list[k - 1] as number);
      y.push(bad.get(ref) === true);
    }
    const recall: Record<string, number | null> = {};
    for (const b of BUDGETS) recall[`${Math.round(b * 100)}%`] = s.length > 0 ? recallAtBudget(s, y, b) : null;
    return {
      lines: k,
      tickets: s.length,
      positives: y.filter(Boolean).length,
      rocAuc: rocAuc(s, y),
      prAuc: prAuc(s, y),
      recall,
      brier: brier(s, y),
    };
  });
  const all: number[] = [];
  const ally: boolean[] = [];
  for (const [ref, list] of scores) {
    for (const r of list) {
      all.push(r);
      ally.push(bad.get(ref) === true);
    }
  }
  return {
    model: model.meta.id,
    trainedThrough: model.meta.trainedThrough,
    tickets: scores.size,
    afterTraining: !opts.all,
    skippedTrainingTickets: opened.size - chosen.size,
    lines: all.length,
    checkpoints,
    brier: brier(all, ally),
    reliability: reliability(all, ally, 10),
  };
}
