/**
 * One step of the engine: an input or a timer, and everything it causes (a "cascade").
 *
 * The step works on its own copy of the ticket state. Mutations go through the methods
 * below, which keep the SLA clocks consistent with the change (pause, resume, re-apply,
 * fulfil, stop) and emit the events of the contract (docs/contract.md) §5. Events that are rule triggers are queued;
 * `drain()` runs the rules they trigger in FIFO order. Within a cascade each rule runs at most
 * once and only the first escalation that moves the ticket happens (§8.6).
 */
import type { Metric, Priority, Status } from '../policy/types.ts';
import { EVENT_TRIGGERS, METRICS } from '../policy/types.ts';
import type { CompiledSla, EngineContext } from './context.ts';
import { dueOf, elapsedAt, endClock, pauseClock, resumeClock, retarget, startClock } from './sla.ts';
import type { ClockState, EngineEvent, TicketState } from './types.ts';

export interface QueuedTrigger {
  event: EngineEvent;
  /** The comment body for `comment.added`, else subject + body. */
  text: string;
  metric: Metric | null;
}

export function cloneState(s: TicketState): TicketState {
  return {
    ...s,
    tags: [...s.tags],
    organization: { ...s.organization },
    risk: { ...s.risk },
    riskSignals: { ...s.riskSignals },
    clocks: { ...s.clocks },
    idleFired: [...s.idleFired],
    teamsLeft: [...s.teamsLeft],
    pendingAck: s.pendingAck ? { ...s.pendingAck, fired: [...s.pendingAck.fired] } : null,
  };
}

const TRIGGER_TYPES = new Set<string>(EVENT_TRIGGERS);

export class Step {
  readonly events: EngineEvent[] = [];
  readonly queue: QueuedTrigger[] = [];
  readonly ran = new Set<string>();
  moved = false;

  constructor(
    readonly ctx: EngineContext,
    public state: TicketState,
    readonly at: number,
  ) {}

  emit(type: string, actor: string, data: Record<string, unknown>, internal = true, text?: string): EngineEvent {
    const event: EngineEvent = { at: this.at, ticket: this.state.ref, type, actor, internal, data };
    this.events.push(event);
    if (TRIGGER_TYPES.has(type)) {
      const metric = (data.metric as Metric | undefined) ?? null;
      this.queue.push({ event, text: text ?? `${this.state.subject}\n${this.state.body}`, metric });
    }
    return event;
  }

  sla(): CompiledSla | undefined {
    return this.ctx.slaById(this.state.slaPolicy);
  }

  private setClock(metric: Metric, clock: ClockState): void {
    this.state.clocks = { ...this.state.clocks, [metric]: clock };
  }

  private clockEvent(type: string, clock: ClockState, extra: Record<string, unknown> = {}): void {
    const sla = this.sla();
    this.emit(type, 'system', {
      metric: clock.metric,
      ...extra,
      policy: this.state.slaPolicy,
      policy_version: this.state.policyVersion,
      target_ms: clock.target,
      elapsed_ms: sla ? elapsedAt(clock, sla.calendar, this.at) : clock.elapsed,
    });
  }

  private isPausedStatus(status: Status): boolean {
    const sla = this.sla();
    return sla ? sla.def.pauseOn.includes(status) : false;
  }

  private active(metric: Metric): ClockState | undefined {
    const clock = this.state.clocks[metric];
    return clock && (clock.status === 'running' || clock.status === 'paused') ? clock : undefined;
  }

  /** Starts a clock cycle if the SLA policy gives the metric a target at this priority. */
  startClock(metric: Metric): void {
    const sla = this.sla();
    const target = sla?.def.targets[this.state.priority]?.[metric];
    if (!sla || target === undefined) return;
    const previous = this.state.clocks[metric];
    let clock = startClock(metric, target, this.at, (previous?.cycle ?? 0) + 1);
    if (this.isPausedStatus(this.state.status)) clock = pauseClock(clock, sla.calendar, this.at);
    this.setClock(metric, clock);
    this.clockEvent('sla.applied', clock, { due: isoOrNull(dueOf(clock, sla.calendar)) });
  }

  endClock(metric: Metric, how: 'fulfilled' | 'stopped', reason?: string): void {
    const clock = this.active(metric);
    const sla = this.sla();
    if (!clock || !sla) return;
    const ended = endClock(clock, sla.calendar, this.at, how);
    this.setClock(metric, ended);
    const extra: Record<string, unknown> = {};
    if (how === 'fulfilled') {
      extra.breached = ended.breached;
      if (ended.breached) extra.late_ms = Math.max(0, ended.elapsed - ended.target);
    }
    if (reason) extra.reason = reason;
    this.clockEvent(how === 'fulfilled' ? 'sla.fulfilled' : 'sla.stopped', ended, extra);
  }

  /**
   * Chooses the SLA policy (first match) and re-applies targets (§3 "Re-application",
   * §8.9): running clocks keep their elapsed business time, get the new target and a new
   * due moment; a metric without a target under the new policy or priority ends stopped.
   */
  syncSla(): void {
    const state = this.state;
    const chosen = this.ctx.sla.find((s) => !s.condition || s.condition.test(this.facts('', null)));
    const chosenId = chosen?.def.id ?? null;
    const policyChanged = chosenId !== state.slaPolicy || state.policyVersion !== this.ctx.policyVersion;
    const targetOf = (metric: Metric) => chosen?.def.targets[state.priority]?.[metric];
    const changed = METRICS.filter((m) => {
      const clock = this.active(m);
      return clock !== undefined && (policyChanged || targetOf(m) !== clock.target);
    });
    if (changed.length === 0) {
      state.slaPolicy = chosenId;
      state.policyVersion = this.ctx.policyVersion;
      return;
    }
    // Freeze elapsed time in the old calendar; from here on, time counts in the new one.
    const oldCal = this.sla()?.calendar ?? this.ctx.wallClock;
    for (const metric of changed) {
      const clock = this.active(metric);
      if (clock?.status === 'running') this.setClock(metric, retarget(clock, oldCal, this.at, clock.target));
    }
    state.slaPolicy = chosenId;
    state.policyVersion = this.ctx.policyVersion;
    const cal = chosen?.calendar ?? this.ctx.wallClock;
    for (const metric of changed) {
      const clock = this.active(metric);
      if (!clock) continue;
      const target = targetOf(metric);
      if (target === undefined) {
        const why = chosen ? `no ${metric} target for priority ${state.priority}` : 'no SLA policy applies';
        this.endClock(metric, 'stopped', why);
        continue;
      }
      const next = { ...clock, target };
      this.setClock(metric, next);
      this.clockEvent('sla.applied', next, { due: isoOrNull(dueOf(next, cal)), reapplied: true });
    }
  }

  pauseAll(): void {
    const sla = this.sla();
    if (!sla) return;
    for (const metric of METRICS) {
      const clock = this.state.clocks[metric];
      if (clock?.status !== 'running') continue;
      const paused = pauseClock(clock, sla.calendar, this.at);
      this.setClock(metric, paused);
      this.clockEvent('sla.paused', paused);
    }
  }

  resume(metric: Metric): void {
    const sla = this.sla();
    const clock = this.state.clocks[metric];
    if (!sla || !clock) return;
    const resumed = resumeClock(clock, this.at);
    this.setClock(metric, resumed);
    this.clockEvent('sla.resumed', resumed, { due: isoOrNull(dueOf(resumed, sla.calendar)) });
  }

  /** Status change with its effect on the clocks (§3 Pause, §8.4). Caller checked the transition. */
  setStatus(to: Status, actor: string): void {
    const state = this.state;
    const from = state.status;
    if (from === to) return;
    state.status = to;
    this.emit('status.changed', actor, actor === 'system' ? { from, to, automatic: true } : { from, to }, false);
    const wasDone = from === 'solved' || from === 'closed';
    const isDone = to === 'solved' || to === 'closed';
    if (isDone && !wasDone) {
      this.endClock('resolution', 'fulfilled');
      for (const metric of METRICS) if (metric !== 'resolution') this.endClock(metric, 'stopped', `ticket ${to}`);
      state.pendingAck = null;
      return;
    }
    if (wasDone && !isDone) {
      // A reopen resumes `resolution` only, with its elapsed time kept.
      state.reopens += 1;
      state.quietSince = this.at;
      state.idleFired = [];
      const resolution = state.clocks.resolution;
      if (resolution && resolution.status === 'fulfilled') {
        if (this.isPausedStatus(to)) this.setClock('resolution', { ...resolution, status: 'paused', since: null });
        else this.resume('resolution');
      }
      return;
    }
    const pausedBefore = this.isPausedStatus(from);
    const pausedNow = this.isPausedStatus(to);
    if (!pausedBefore && pausedNow) this.pauseAll();
    if (pausedBefore && !pausedNow) {
      for (const metric of METRICS) if (state.clocks[metric]?.status === 'paused') this.resume(metric);
    }
  }

  setPriority(to: Priority, actor: string): void {
    const from = this.state.priority;
    if (from === to) return;
    this.state.priority = to;
    this.emit('priority.changed', actor, { from, to });
    this.syncSla();
  }

  assign(assignee: string | null, actor: string, extra: Record<string, unknown> = {}): void {
    const state = this.state;
    const previous = state.assignee;
    if (previous === assignee) return;
    if (previous !== null && assignee !== null) state.reassignments += 1;
    state.assignee = assignee;
    if (state.owner === null && assignee !== null) state.owner = assignee;
    this.emit('ticket.assigned', actor, { assignee, previous, reassignments: state.reassignments, ...extra });
  }

  /**
   * Puts the ticket in another team (escalation, de-escalation, transfer) and counts the team
   * move; a move back to a team the ticket had already left is a bounce (the contract (docs/contract.md) §1). The
   * caller emits its own event with `moveCounts`, then `bounced()` if it was one.
   */
  moveTeam(team: { id: string; level: string }): { bounce: boolean } {
    const s = this.state;
    s.level = team.level;
    if (team.id === s.team) return { bounce: false };
    const bounce = s.teamsLeft.includes(team.id);
    if (!s.teamsLeft.includes(s.team)) s.teamsLeft = [...s.teamsLeft, s.team];
    s.team = team.id;
    s.teamMoves += 1;
    if (bounce) s.bounces += 1;
    return { bounce };
  }

  /** The counters a move event carries. */
  moveCounts(): { team_moves: number; bounces: number } {
    return { team_moves: this.state.teamMoves, bounces: this.state.bounces };
  }

  /** After a move that was a bounce: `ticket.bounced` (a rule trigger), naming the team it came back to. */
  bounced(fromTeam: string, actor: string): void {
    const s = this.state;
    this.emit('ticket.bounced', actor, { from_team: fromTeam, to_team: s.team, to_level: s.level, team_moves: s.teamMoves, bounces: s.bounces });
  }

  facts(text: string, metric: Metric | null) {
    const s = this.state;
    let percent: number | null = null;
    const sla = this.sla();
    if (sla) {
      for (const m of METRICS) {
        const clock = s.clocks[m];
        if (!clock || (clock.status !== 'running' && clock.status !== 'paused')) continue;
        if (metric !== null && m !== metric) continue;
        const p = (elapsedAt(clock, sla.calendar, this.at) / clock.target) * 100;
        percent = percent === null ? p : Math.max(percent, p);
      }
    }
    return {
      priority: s.priority,
      status: s.status,
      channel: s.channel,
      category: s.category,
      tags: s.tags,
      text,
      level: s.level,
      team: s.team,
      organization: s.organization,
      sla: { metric, percent_elapsed: percent },
      reassignments: s.reassignments,
      team_moves: s.teamMoves,
      bounces: s.bounces,
      reopens: s.reopens,
      escalations: s.escalations,
      risk: s.risk,
      riskScore: s.riskScore?.risk ?? null,
      sentiment: s.sentiment,
    };
  }
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
