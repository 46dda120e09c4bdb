/**
 * Virtual-time replay (the contract (docs/contract.md) §6, §8.1, §8.11): the live engine, driven by a workload
 * instead of a server. Inputs apply in file order; before each input, every timer due
 * strictly earlier fires (earliest first), so that something done exactly at a due moment is
 * in time; at the end every timer up to `until` (inclusive) fires.
 *
 * The priority queue holds one entry per ticket — its earliest pending timer — tagged with
 * the ticket's version; any change to the ticket bumps the version and pushes a fresh entry,
 * so stale entries are dropped when they surface.
 *
 * With a risk model (issue 14, `escalon simulate --model`): after each input and each timer
 * firing (time moves), the ticket's risk memo is folded, the model scores the ticket and the
 * score goes through the engine as `risk.scored`, so `risk.changed` and risk rules happen as
 * they would live. Without one nothing of this runs.
 */
import type { Engine } from './engine/engine.ts';
import { MemoryHost } from './engine/engine.ts';
import type { EngineEvent, EngineInput, TicketState } from './engine/types.ts';
import { EMPTY_PROFILE, type FoldRiskMemo, type RiskMemo, type RiskModel } from './risk/api.ts';
import { foldStep, scoredInput, type ProfileSource } from './risk/live-deps.ts';
import type { WorkloadLine } from './workload.ts';

interface Entry {
  due: number;
  seq: number;
  ref: string;
  key: string;
  version: number;
}

class Heap {
  private readonly items: Entry[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Entry | undefined {
    return this.items[0];
  }
  push(e: Entry): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i] as Entry, a[p] as Entry)) break;
      [a[i], a[p]] = [a[p] as Entry, a[i] as Entry];
      i = p;
    }
  }
  pop(): Entry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l] as Entry, a[m] as Entry)) m = l;
        if (r < a.length && less(a[r] as Entry, a[m] as Entry)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as Entry, a[i] as Entry];
        i = m;
      }
    }
    return top;
  }
}

function less(x: Entry, y: Entry): boolean {
  return x.due < y.due || (x.due === y.due && x.seq < y.seq);
}

export class SimulationError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export interface SimulationStats {
  tickets: number;
  inputs: number;
  events: number;
  timersFired: number;
}

/** Risk scoring during a replay: the memo fold, the model, and the requesters' profiles (none: empty profiles). */
export interface SimulationRisk {
  fold: FoldRiskMemo;
  model: RiskModel;
  profiles?: ProfileSource;
}

export class Simulation {
  private readonly memos = new Map<string, RiskMemo>();
  private readonly tickets = new Map<string, { state: TicketState; version: number; counted: string | null }>();
  /** Per ticket, the assignee its workload lines last named (`ticket.created`, `ticket.assigned`). */
  private readonly named = new Map<string, string | null>();
  private readonly heap = new Heap();
  private seq = 0;
  private lastAt = -Infinity;
  readonly stats: SimulationStats = { tickets: 0, inputs: 0, events: 0, timersFired: 0 };

  constructor(
    private readonly engine: Engine,
    private readonly sink: (event: EngineEvent) => void,
    private readonly host: MemoryHost = engine.ctx.host instanceof MemoryHost ? engine.ctx.host : new MemoryHost(),
    private readonly risk: SimulationRisk | null = null,
  ) {}

  /** Applies one workload line (lines must come in non-decreasing `at` order). */
  input(line: WorkloadLine): void {
    if (line.at < this.lastAt) {
      throw new SimulationError(line.line, `out of order: ${new Date(line.at).toISOString()} is before the previous line`);
    }
    this.lastAt = line.at;
    const input = line.input;
    if (this.groupOnly(line.ref, input)) {
      this.stats.inputs++;
      // The engine does not see it; the risk memo does (group changes are a feature).
      const current = this.risk ? this.tickets.get(line.ref) : undefined;
      if (current) {
        this.drain(line.at, false);
        const now = this.tickets.get(line.ref) ?? current;
        const scored = this.score(line.ref, now.state, [], line.at, input, line.line);
        if (scored.state !== now.state) this.commit(line.ref, scored.state, scored.events);
      }
      return;
    }
    this.drain(line.at, false);
    const current = this.tickets.get(line.ref);
    if (input.type !== 'ticket.created' && !current) {
      throw new SimulationError(line.line, `ticket ${line.ref} has not been created yet`);
    }
    const result = this.engine.apply(current?.state ?? null, input, line.at, true);
    if (!result.ok) throw new SimulationError(line.line, `${result.code}: ${result.message}`);
    this.stats.inputs++;
    if (!current) this.stats.tickets++;
    if (input.type === 'ticket.created') this.named.set(line.ref, input.ticket.assignee ?? null);
    else if (input.type === 'ticket.assigned') this.named.set(line.ref, input.assignee);
    if (this.risk) {
      const scored = this.score(line.ref, result.state, result.events, line.at, line.input, line.line);
      this.commit(line.ref, scored.state, scored.events);
    } else this.commit(line.ref, result.state, result.events);
  }

  /**
   * A `ticket.assigned` line that only tells another system's assignment group (`group`, no
   * `team`, the assignee the ticket's previous lines named) changes nothing here: it is not
   * applied at all — no event, no state change, no timer moved — even when a rule has since
   * moved or unassigned the ticket (re-applying its assignee would undo that).
   */
  private groupOnly(ref: string, input: WorkloadLine['input']): boolean {
    return (
      input.type === 'ticket.assigned' &&
      input.group !== undefined &&
      input.team === undefined &&
      this.named.has(ref) &&
      this.named.get(ref) === input.assignee
    );
  }

  /** Fires every timer due before `limit` (or at it, when inclusive). */
  drain(limit: number, inclusive: boolean): void {
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.due > limit || (!inclusive && top.due === limit)) return;
      this.heap.pop();
      const entry = this.tickets.get(top.ref);
      if (!entry || entry.version !== top.version) continue;
      const result = this.engine.fire(entry.state, top.key, top.due, true);
      if (!result.ok) continue;
      this.stats.timersFired++;
      if (this.risk) {
        const scored = this.score(top.ref, result.state, result.events, top.due, null, 0);
        this.commit(top.ref, scored.state, scored.events);
      } else this.commit(top.ref, result.state, result.events);
    }
  }

  /** Ends the run: fires everything due up to `until` (inclusive). */
  finish(until: number): void {
    this.drain(until, true);
  }

  get lastInputAt(): number {
    return this.lastAt;
  }

  /** Folds the step into the ticket's memo, then scores the ticket and applies the score. */
  private score(ref: string, state: TicketState, events: EngineEvent[], at: number, input: EngineInput | null, line: number): { state: TicketState; events: EngineEvent[] } {
    const risk = this.risk as SimulationRisk;
    let memo = foldStep(risk.fold, this.memos.get(ref) ?? null, at, input, events);
    risk.profiles?.observe(state, { at, input, events });
    if (state.status === 'solved' || state.status === 'closed') {
      this.memos.set(ref, memo);
      return { state, events };
    }
    const scoredBy = scoredInput(risk.model, state, memo, risk.profiles?.profile(state, at) ?? EMPTY_PROFILE, at);
    const result = this.engine.apply(state, scoredBy, at, true);
    if (!result.ok) throw new SimulationError(line, `risk model ${risk.model.meta.id}: ${result.message}`);
    if (result.events.length > 0) {
      memo = foldStep(risk.fold, memo, at, scoredBy, result.events);
      risk.profiles?.observe(result.state, { at, input: null, events: result.events });
    }
    this.memos.set(ref, memo);
    return { state: result.state, events: result.events.length > 0 ? [...events, ...result.events] : events };
  }

  /** The ticket's risk memo (with a risk model). */
  memo(ref: string): RiskMemo | undefined {
    return this.memos.get(ref);
  }

  private commit(ref: string, state: TicketState, events: EngineEvent[]): void {
    const prev = this.tickets.get(ref);
    const version = (prev?.version ?? 0) + 1;
    // Least-loaded assignment counts the open tickets each agent holds.
    const holder = state.status === 'solved' || state.status === 'closed' ? null : state.assignee;
    const counted = prev?.counted ?? null;
    if (counted !== holder) {
      if (counted) this.host.load.set(counted, (this.host.load.get(counted) ?? 1) - 1);
      if (holder) this.host.load.set(holder, (this.host.load.get(holder) ?? 0) + 1);
    }
    this.tickets.set(ref, { state, version, counted: holder });
    for (const e of events) this.sink(e);
    this.stats.events += events.length;
    const next = this.engine.nextTimer(state);
    if (next) this.heap.push({ due: next.due, seq: this.seq++, ref, key: next.key, version });
  }

  state(ref: string): TicketState | undefined {
    return this.tickets.get(ref)?.state;
  }
}

/** The simulate output line for an event (the contract (docs/contract.md) §6): `at` in UTC, the ticket as given, the payload. */
export function toOutputLine(e: EngineEvent): Record<string, unknown> {
  const line: Record<string, unknown> = { at: new Date(e.at).toISOString(), ticket: e.ticket, type: e.type, ...e.data };
  // Changes carry `from`/`to`; the output also repeats the workload's own field name.
  if (e.type === 'status.changed') line.status = e.data.to;
  else if (e.type === 'priority.changed') line.priority = e.data.to;
  return line;
}

// The head of the last line (a cascade's events share instant and ticket) and each type's part.
let isoAt = NaN;
let isoText = '';
let headTicket = '';
let headText = '';
const typeTexts = new Map<string, string>();

/**
 * `JSON.stringify(toOutputLine(e))`, written directly: the payload serialised once and spliced
 * after `at`, `ticket` and `type` (the same bytes; events whose payload would reorder or replace
 * those keys — an `at`/`ticket`/`type` or an integer-like key — and status/priority changes go
 * the long way). Consecutive events mostly share their instant and ticket: that head is reused.
 */
export function outputLineText(e: EngineEvent): string {
  const d = e.data;
  if (typeof e.ticket !== 'string') return JSON.stringify(toOutputLine(e));
  // Status and priority changes repeat `to` under the workload's own name, last.
  const repeat = e.type === 'status.changed' ? 'status' : e.type === 'priority.changed' ? 'priority' : null;
  if (repeat !== null && (typeof d.to !== 'string' || repeat in d)) return JSON.stringify(toOutputLine(e));
  for (const k in d) {
    const c = k.charCodeAt(0);
    if ((c >= 48 && c <= 57) || k === 'at' || k === 'ticket' || k === 'type') return JSON.stringify(toOutputLine(e));
  }
  if (e.at !== isoAt || e.ticket !== headTicket) {
    if (e.at !== isoAt) isoText = new Date(e.at).toISOString();
    isoAt = e.at;
    headTicket = e.ticket;
    headText = `{"at":"${isoText}","ticket":${JSON.stringify(e.ticket)}`;
  }
  let typeText = typeTexts.get(e.type);
  if (typeText === undefined) {
    typeText = `,"type":${JSON.stringify(e.type)}`;
    if (typeTexts.size < 1000) typeTexts.set(e.type, typeText);
  }
  const payload = JSON.stringify(d);
  const head = headText + typeText;
  const tail = repeat === null ? '}' : `,"${repeat}":${JSON.stringify(d.to)}}`;
  return payload.length === 2 ? `${head}${tail}` : `${head},${payload.slice(1, -1)}${tail}`;
}
