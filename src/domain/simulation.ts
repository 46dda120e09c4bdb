/**
 * Virtual-time replay (the contract (docs/contract.md) §6, §8.1, §8.11): the live engine, driven by a workload
 * instead of a server. Inputs apply in file order; before each input, every timer due
 * strictly earlier fires (earliest first), so that something done exactly at a due moment is
 * in time; at the end every timer up to `until` (inclusive) fires.
 *
 * The priority queue holds one entry per ticket — its earliest pending timer — tagged with
 * the ticket's version; any change to the ticket bumps the version and pushes a fresh entry,
 * so stale entries are dropped when they surface.
 */
import type { Engine } from './engine/engine.ts';
import { MemoryHost } from './engine/engine.ts';
import type { EngineEvent, TicketState } from './engine/types.ts';
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

export class Simulation {
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
    this.commit(line.ref, result.state, result.events);
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
      this.commit(top.ref, result.state, result.events);
    }
  }

  /** Ends the run: fires everything due up to `until` (inclusive). */
  finish(until: number): void {
    this.drain(until, true);
  }

  get lastInputAt(): number {
    return this.lastAt;
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
