/**
 * The offline replay of a workload for the risk model (issue 14): the engine in virtual time
 * (as `escalon simulate`), with each ticket's risk memo folded and the requesters' profiles
 * kept as it goes. After every input line it hands over the ticket as it stands right after
 * that line — the same subject the live server scores at that change — so features built
 * from it know only the past.
 */
import { Engine } from '../domain/engine/engine.ts';
import type { EngineEvent, TicketState } from '../domain/engine/types.ts';
import type { Policy } from '../domain/policy/types.ts';
import type { RiskMemo, RiskSubject } from '../domain/risk/api.ts';
import { foldRiskMemo } from '../domain/risk/memo.ts';
import { ProfileTracker } from '../domain/risk/profile.ts';
import { Simulation, SimulationError } from '../domain/simulation.ts';
import type { WorkloadLine } from '../domain/workload.ts';

export interface ReplayStep {
  line: WorkloadLine;
  /** How many of this ticket's input lines have been read (1 = its creation). */
  seen: number;
  subject: RiskSubject;
}

export interface ReplayOptions {
  policy: Policy;
  /** Called after each line; the subject's state is only valid during the call. */
  onLine: (step: ReplayStep) => void;
  /** Called every 1000 lines. */
  onProgress?: (done: number, total: number) => void;
  /** Skip a line the engine refuses instead of stopping (histories rebuilt from a database). */
  lenient?: boolean;
}

export function replay(lines: readonly WorkloadLine[], opts: ReplayOptions): { tickets: number; events: number; skipped: number } {
  const engine = new Engine({ policy: opts.policy });
  const memos = new Map<string, RiskMemo>();
  const seen = new Map<string, number>();
  const profiles = new ProfileTracker();
  let buffer: EngineEvent[] = [];
  let events = 0;
  let skipped = 0;
  const sim = new Simulation(engine, (e) => {
    buffer.push(e);
    events++;
  });
  const take = (): EngineEvent[] => {
    const out = buffer;
    buffer = [];
    return out;
  };
  // Timer firings: one memo step per ticket touched, in the order they happened.
  const foldTimers = (fired: EngineEvent[]): void => {
    const byTicket = new Map<string, EngineEvent[]>();
    for (const e of fired) {
      const list = byTicket.get(e.ticket);
      if (list) list.push(e);
      else byTicket.set(e.ticket, [e]);
    }
    for (const [ref, evs] of byTicket) {
      memos.set(ref, foldRiskMemo(memos.get(ref) ?? null, { at: (evs[evs.length - 1] as EngineEvent).at, input: null, events: evs }));
      const state = sim.state(ref);
      if (state) profiles.observe(state, evs);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as WorkloadLine;
    sim.drain(line.at, false);
    if (buffer.length > 0) foldTimers(take());
    try {
      sim.input(line);
    } catch (e) {
      if (!opts.lenient || !(e instanceof SimulationError)) throw e;
      take();
      skipped++;
      continue;
    }
    const evs = take();
    const memo = foldRiskMemo(memos.get(line.ref) ?? null, { at: line.at, input: line.input, events: evs });
    memos.set(line.ref, memo);
    const state = sim.state(line.ref) as TicketState;
    profiles.observe(state, evs);
    const n = (seen.get(line.ref) ?? 0) + 1;
    seen.set(line.ref, n);
    opts.onLine({ line, seen: n, subject: { at: line.at, state, memo, profile: profiles.profile(state.requester, line.at, line.ref) } });
    if (opts.onProgress && i % 1000 === 0) opts.onProgress(i, lines.length);
  }
  opts.onProgress?.(lines.length, lines.length);
  return { tickets: seen.size, events, skipped };
}
