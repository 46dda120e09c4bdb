/**
 * The escalation engine: one pure entry point for everything that happens to a ticket.
 *
 *   apply(state, input, at)  an input (API call, workload line, email) at instant `at`
 *   fire(state, key, due)    a timer that came due (a warning, a breach, idle, unacknowledged)
 *   timers(state)            the ticket's pending moments, derived from its state
 *
 * Each call copies the state, makes the change, lets the rules react (see step.ts and
 * actions.ts), and returns the new state and the events in order. The live server persists
 * them in one transaction and upserts `timers(state)`; the simulator keeps them in memory and
 * a priority queue. Same code, two clocks.
 */
import type { Policy, Status } from '../policy/types.ts';
import { triage } from '../triage.ts';
import { escalateTo, notifyAcknowledged, runRule } from './actions.ts';
import { requestEscalation } from './customer-request.ts';
import { EngineContext, type TriageFn, type TriageResult } from './context.ts';
import { clockTimers } from './sla.ts';
import { cloneState, Step } from './step.ts';
import type { EngineHost, EngineInput, EngineResult, FlagName, NewTicket, TicketState, Timer } from './types.ts';

export interface EngineOptions {
  policy: Policy;
  policyVersion?: number;
  host?: EngineHost;
  triage?: TriageFn;
}

const FLAGS: FlagName[] = ['legal', 'churn', 'billing', 'security', 'frustration'];

/**
 * A host that keeps round-robin cursors in memory; `load` (open tickets per agent) is kept by
 * the simulator. The live server builds one per change: the load read in that change's
 * transaction, and the process's cursors (passed in, shared).
 */
export class MemoryHost implements EngineHost {
  constructor(
    private readonly cursors = new Map<string, number>(),
    public load = new Map<string, number>(),
  ) {}
  roundRobin(team: string, members: readonly string[]): string | null {
    if (members.length === 0) return null;
    const next = this.cursors.get(team) ?? 0;
    this.cursors.set(team, next + 1);
    return members[next % members.length] ?? null;
  }
  leastLoaded(_team: string, members: readonly string[]): string | null {
    let best: string | null = null;
    let bestLoad = Infinity;
    for (const m of members) {
      const l = this.load.get(m) ?? 0;
      if (l < bestLoad) {
        best = m;
        bestLoad = l;
      }
    }
    return best;
  }
}

export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Engine {
  readonly ctx: EngineContext;

  constructor(options: EngineOptions | EngineContext) {
    this.ctx =
      options instanceof EngineContext
        ? options
        : new EngineContext(options.policy, options.policyVersion ?? 1, options.host ?? new MemoryHost(), options.triage ?? triage);
  }

  /** The same compiled policy answering cross-ticket questions from `host` (one per change in the live server). */
  withHost(host: EngineHost): Engine {
    return new Engine(this.ctx.withHost(host));
  }

  /**
   * `owned: true` lets the engine change `state` in place instead of copying it first — for a
   * caller that holds the only reference and drops the old state anyway (the simulator).
   */
  apply(state: TicketState | null, input: EngineInput, at: number, owned = false): EngineResult {
    try {
      if (input.type === 'ticket.created') {
        if (state) return fail('ticket_exists', `ticket ${state.ref} already exists`);
        return this.finish(this.create(input.ticket, at, input.actor ?? 'customer'));
      }
      if (!state) return fail('ticket_not_found', 'the ticket does not exist');
      if (input.type === 'risk.scored') return this.finish(this.scored(owned ? state : cloneState(state), input, at));
      const step = new Step(this.ctx, owned ? state : cloneState(state), at);
      this.applyTo(step, input);
      return this.finish(step);
    } catch (e) {
      if (e instanceof EngineError) return fail(e.code, e.message);
      throw e;
    }
  }

  /**
   * Fires the timer `key` due at `due`. A timer that the state no longer owes is stale: no
   * effect. `owned` as for apply; it also means the caller knows the timer is current (the
   * simulator's queue entries carry the ticket's version), so the check is skipped.
   */
  fire(state: TicketState, key: string, due: number, owned = false): EngineResult {
    if (!owned) {
      const timer = this.timers(state).find((t) => t.key === key);
      if (!timer || timer.due !== due) return { ok: true, state, events: [], stale: true };
    }
    const step = new Step(this.ctx, owned ? state : cloneState(state), due);
    const s = step.state;
    const [kind, a, b, c] = key.split(':');
    if (kind === 'sla' && a) {
      const metric = a as keyof TicketState['clocks'];
      const clock = s.clocks[metric];
      if (!clock) return { ok: true, state, events: [], stale: true };
      if (b === 'warn' && c) {
        s.clocks = { ...s.clocks, [metric]: { ...clock, warned: [...clock.warned, c] } };
        step.emit('sla.warning', 'system', {
          metric,
          threshold: c,
          policy: s.slaPolicy,
          policy_version: s.policyVersion,
          target_ms: clock.target,
        });
      } else if (b === 'breach') {
        s.clocks = { ...s.clocks, [metric]: { ...clock, breached: true, breachedAt: due } };
        step.emit('sla.breached', 'system', {
          metric,
          policy: s.slaPolicy,
          policy_version: s.policyVersion,
          target_ms: clock.target,
        });
      }
    } else if (kind === 'idle' && a) {
      const rule = this.ctx.rule(a);
      s.idleFired = [...s.idleFired, a];
      if (rule) {
        runRule(step, { rule, trigger: `idle ${rule.idleMs}ms`, text: `${s.subject}\n${s.body}`, metric: null, byUnacknowledged: false });
      }
    } else if (kind === 'unack' && a && s.pendingAck) {
      const rule = this.ctx.rule(a);
      s.pendingAck = { ...s.pendingAck, fired: [...s.pendingAck.fired, a] };
      if (rule) {
        runRule(step, {
          rule,
          trigger: `unacknowledged ${rule.unackMs}ms`,
          text: `${s.subject}\n${s.body}`,
          metric: null,
          byUnacknowledged: true,
        });
      }
    }
    return this.finish(step);
  }

  /** The ticket's pending moments, earliest first (ties: warnings, breaches, idle, unacknowledged). */
  timers(state: TicketState): Timer[] {
    const finite = this.listTimers(state).filter((t) => Number.isFinite(t.due));
    return finite.sort((x, y) => x.due - y.due);
  }

  /** Every pending moment of the ticket, in listing order (not sorted; a due may be infinite). */
  private listTimers(state: TicketState): Timer[] {
    if (state.status === 'solved' || state.status === 'closed') return [];
    const timers: Timer[] = [];
    const sla = this.ctx.slaById(state.slaPolicy);
    const cal = sla?.calendar ?? this.ctx.wallClock;
    if (sla) {
      for (const clock of Object.values(state.clocks)) {
        if (clock) timers.push(...clockTimers(clock, cal, sla.def.warnAt));
      }
    }
    for (const rule of this.ctx.idleRules) {
      if (rule.idleMs === null || state.idleFired.includes(rule.def.id)) continue;
      timers.push({ key: `idle:${rule.def.id}`, due: cal.add(state.quietSince, rule.idleMs) });
    }
    const ack = state.pendingAck;
    if (ack) {
      for (const rule of this.ctx.unackRules) {
        if (rule.unackMs === null || ack.fired.includes(rule.def.id)) continue;
        timers.push({ key: `unack:${rule.def.id}`, due: cal.add(ack.at, rule.unackMs) });
      }
    }
    return timers;
  }

  /**
   * A new policy version took over (issue 4): a ticket whose team is gone moves to the first
   * team of its level (or the entry team), and running clocks get the new targets with their
   * elapsed time kept (§3 Re-application). No rule runs: nothing happened to the ticket.
   */
  reapply(state: TicketState, at: number): EngineResult {
    const step = new Step(this.ctx, cloneState(state), at);
    const s = step.state;
    const matrix = this.ctx.matrix;
    if (!matrix.team(s.team)) {
      const team = (matrix.level(s.level) ? matrix.firstHierarchical(s.level) : undefined) ?? matrix.entryTeam();
      if (!team) return fail('no_teams', 'the policy defines no team');
      const from = { team: s.team, level: s.level };
      s.team = team.id;
      s.level = team.level;
      step.emit('ticket.updated', 'system', {
        team: team.id,
        level: team.level,
        from_team: from.team,
        from_level: from.level,
        why: `team ${from.team} is not in policy version ${this.ctx.policyVersion}`,
      });
    }
    step.syncSla();
    return { ok: true, state: step.state, events: step.events };
  }

  /** The earliest pending moment, or null. */
  nextTimer(state: TicketState): Timer | null {
    // timers(state)[0] without the filtered, sorted copy: the first (in listing order) of the
    // earliest finite moments, as the stable sort would put first.
    let best: Timer | null = null;
    for (const t of this.listTimers(state)) if (Number.isFinite(t.due) && (best === null || t.due < best.due)) best = t;
    return best;
  }

  private triage(text: string): TriageResult {
    return this.ctx.triage(text);
  }

  private create(t: NewTicket, at: number, actor: string): Step {
    const matrix = this.ctx.matrix;
    const team = t.team !== undefined ? matrix.team(t.team) : matrix.entryTeam();
    if (!team) {
      throw new EngineError(
        t.team !== undefined ? 'unknown_team' : 'no_teams',
        t.team !== undefined ? `team ${t.team} is not in the policy` : 'the policy defines no team',
      );
    }
    const tri = this.triage(`${t.subject}\n${t.body}`);
    const state: TicketState = {
      ref: t.ref,
      createdAt: at,
      subject: t.subject,
      body: t.body,
      priority: t.priority,
      status: 'new',
      channel: t.channel,
      category: t.category ?? null,
      tags: [...(t.tags ?? [])],
      organization: { id: t.organization.id, tier: t.organization.tier, contract_value: t.organization.contract_value ?? null },
      requester: t.requester ?? null,
      assignee: t.assignee ?? null,
      owner: t.assignee ?? null,
      team: team.id,
      level: team.level,
      reassignments: 0,
      teamMoves: 0,
      bounces: 0,
      teamsLeft: [],
      reopens: 0,
      escalations: 0,
      risk: { ...tri.flags },
      riskSignals: { ...tri.signals },
      sentiment: tri.sentiment,
      agentReplied: false,
      slaPolicy: null,
      policyVersion: this.ctx.policyVersion,
      clocks: {},
      quietSince: at,
      idleFired: [],
      pendingAck: null,
      escalationSeq: 0,
    };
    const step = new Step(this.ctx, state, at);
    const data: Record<string, unknown> = {
      priority: t.priority,
      organization: state.organization,
      subject: t.subject,
      body: t.body,
      channel: t.channel,
      tags: state.tags,
      category: state.category,
      team: team.id,
      level: team.level,
    };
    if (state.requester) data.requester = state.requester;
    if (state.assignee) data.assignee = state.assignee;
    const flagged = FLAGS.filter((f) => tri.flags[f]);
    if (flagged.length > 0) data.risk = { flags: flagged, signals: tri.signals };
    data.sentiment = tri.sentiment;
    // §8.5: placed and SLA applied first, then the rules of `ticket.created`.
    step.emit('ticket.created', actor, data, false);
    step.syncSla();
    step.startClock('first_response');
    step.startClock('resolution');
    return step;
  }

  /**
   * A risk model's score (issue 14): stored on the state; when its band differs from the band
   * of the previous score — including the first score, from none — `risk.changed` (internal, a
   * rule trigger) follows. A score within the same band changes the state only. A solved or
   * closed ticket keeps its last score: nothing is predicted for it any more.
   */
  private scored(state: TicketState, input: Extract<EngineInput, { type: 'risk.scored' }>, at: number): Step {
    const step = new Step(this.ctx, state, at);
    const s = step.state;
    if (s.status === 'solved' || s.status === 'closed') return step;
    if (!Number.isFinite(input.risk) || input.risk < 0 || input.risk > 1) {
      throw new EngineError('invalid_risk', `risk ${input.risk} is not a probability between 0 and 1`);
    }
    const from = s.riskScore?.band ?? null;
    const reasons = input.reasons.map((r) => ({ feature: r.feature, effect: r.effect }));
    s.riskScore = { risk: input.risk, band: input.band, reasons, model: input.model, at };
    if (from !== input.band) {
      step.emit('risk.changed', 'system', { from, to: input.band, risk: input.risk, reasons, model: input.model });
    }
    return step;
  }

  private applyTo(step: Step, input: Exclude<EngineInput, { type: 'ticket.created' | 'risk.scored' }>): void {
    const s = step.state;
    if (s.status === 'closed' && input.type !== 'comment.added') {
      throw new EngineError('ticket_closed', `ticket ${s.ref} is closed; closed is final`);
    }
    switch (input.type) {
      case 'comment.added': {
        if (s.status === 'closed') throw new EngineError('ticket_closed', `ticket ${s.ref} is closed; open a new ticket`);
        const agent = input.author === 'agent';
        const actor = input.actor ?? input.author;
        step.emit('comment.added', actor, { public: input.public, author_role: input.author, body: input.body }, !input.public, input.body);
        if (!input.public) break;
        s.quietSince = step.at;
        s.idleFired = [];
        if (agent) {
          step.endClock('first_response', 'fulfilled');
          step.endClock('next_response', 'fulfilled');
          const periodic = s.clocks.periodic_update;
          if (periodic && (periodic.status === 'running' || periodic.status === 'paused')) step.endClock('periodic_update', 'fulfilled');
          if (s.status !== 'solved') step.startClock('periodic_update');
          s.agentReplied = true;
          if (s.customerRequest && !s.customerRequest.answered) s.customerRequest = { ...s.customerRequest, answered: true };
          if (s.owner === null && input.actor && input.actor.includes('@')) s.owner = input.actor;
          if (s.status === 'new') step.setStatus('open', 'system');
        } else {
          const tri = this.triage(input.body);
          for (const f of FLAGS) {
            if (tri.flags[f]) {
              s.risk = { ...s.risk, [f]: true };
              s.riskSignals = { ...s.riskSignals, [f]: tri.signals[f] ?? [] };
            }
          }
          s.sentiment = tri.sentiment;
          // A customer's public reply reopens a solved ticket; reopening resumes resolution
          // only (§8), so it starts no next_response clock.
          const reopening = s.status === 'solved';
          if (s.status === 'pending' || reopening) step.setStatus('open', 'system');
          const first = s.clocks.first_response;
          const firstActive = first && (first.status === 'running' || first.status === 'paused');
          const next = s.clocks.next_response;
          const nextActive = next && (next.status === 'running' || next.status === 'paused');
          if (s.agentReplied && !firstActive && !nextActive && s.status !== 'solved' && !reopening) step.startClock('next_response');
        }
        break;
      }
      case 'status.changed':
        checkTransition(s.status, input.status);
        step.setStatus(input.status, input.actor ?? 'agent');
        break;
      case 'priority.changed':
        step.setPriority(input.priority, input.actor ?? 'agent');
        break;
      case 'ticket.assigned': {
        if (input.team !== undefined && input.team !== s.team) {
          const team = this.ctx.matrix.team(input.team);
          if (!team) throw new EngineError('unknown_team', `team ${input.team} is not in the policy`);
          const fromTeam = s.team;
          const { bounce } = step.moveTeam(team);
          step.assign(input.assignee, input.actor ?? 'agent', { team: team.id, from_team: fromTeam, reason: input.reason ?? null, ...step.moveCounts() });
          if (s.assignee !== input.assignee) s.assignee = input.assignee;
          if (bounce) step.bounced(fromTeam, input.actor ?? 'agent');
        } else {
          step.assign(input.assignee, input.actor ?? 'agent');
        }
        break;
      }
      case 'ticket.updated': {
        const changes: Record<string, unknown> = {};
        if (input.tags) {
          s.tags = [...input.tags];
          changes.tags = s.tags;
        }
        if (input.category !== undefined) {
          s.category = input.category;
          changes.category = s.category;
        }
        step.emit('ticket.updated', input.actor ?? 'agent', changes);
        step.syncSla();
        break;
      }
      case 'ticket.escalated': {
        if (input.byCustomer) {
          requestEscalation(step, input.comment ?? '', input.actor ?? 'customer');
          break;
        }
        const target = input.toTeam
          ? ({ kind: 'team', team: input.toTeam } as const)
          : input.toLevel
            ? ({ kind: 'level', level: input.toLevel } as const)
            : ({ kind: 'next_level' } as const);
        const resolution = this.ctx.matrix.resolve(target, s.team, false);
        if (resolution.kind !== 'move') throw new EngineError('escalation_refused', resolution.why);
        escalateTo(step, resolution.team, {
          actor: input.actor ?? (input.reason === 'customer_request' ? 'customer' : 'agent'),
          reason: input.reason,
          requireAck: input.requireAck ?? false,
          documentation: input.documentation,
          manual: true,
          ...(input.comment !== undefined && { comment: input.comment }),
        });
        break;
      }
      case 'ticket.deescalated': {
        const matrix = this.ctx.matrix;
        let team = input.toTeam ? matrix.team(input.toTeam) : undefined;
        if (input.toTeam && !team) throw new EngineError('unknown_team', `team ${input.toTeam} is not in the policy`);
        if (!team) {
          const rank = matrix.rank(s.level);
          const levelId = input.toLevel ?? this.ctx.policy.levels[rank - 1]?.id;
          if (!levelId) throw new EngineError('deescalation_refused', `ticket is already at the lowest level (${s.level})`);
          if (!matrix.level(levelId)) throw new EngineError('unknown_level', `level ${levelId} is not in the policy`);
          team = matrix.firstHierarchical(levelId);
          if (!team) throw new EngineError('deescalation_refused', `no team at level ${levelId}`);
        }
        const lower = matrix.rank(team.level) < matrix.rank(s.level);
        const sideways = team.level === s.level && team.id !== s.team;
        if (!lower && !sideways) {
          throw new EngineError('deescalation_refused', `team ${team.id} is not below the current level ${s.level}`);
        }
        const from = { level: s.level, team: s.team };
        const { bounce } = step.moveTeam(team);
        s.pendingAck = null;
        if (s.assignee !== null && !team.members.includes(s.assignee)) s.assignee = null;
        step.emit('ticket.deescalated', input.actor ?? 'agent', {
          from_level: from.level,
          from_team: from.team,
          to_level: team.level,
          to_team: team.id,
          reason: input.reason,
          ...step.moveCounts(),
        });
        if (bounce) step.bounced(from.team, input.actor ?? 'agent');
        break;
      }
      case 'escalation.acknowledged': {
        const ack = s.pendingAck;
        if (!ack) throw new EngineError('nothing_to_acknowledge', `ticket ${s.ref} has no escalation waiting for acknowledgement`);
        s.pendingAck = null;
        step.emit('escalation.acknowledged', input.actor ?? 'agent', { escalation_id: ack.escalationId, waited_ms: step.at - ack.at });
        notifyAcknowledged(step, ack.by, input.actor ?? 'agent');
        break;
      }
    }
  }

  /** Runs the rules the step's trigger events call for, FIFO, until none are left. */
  private finish(step: Step): EngineResult {
    for (let i = 0; i < step.queue.length; i++) {
      const queued = step.queue[i];
      if (!queued) continue;
      const rules = this.ctx.rulesByEvent.get(queued.event.type as never);
      if (!rules) continue;
      const origin = queued.event.actor.startsWith('rule:') ? queued.event.actor.slice(5) : null;
      for (const rule of rules) {
        if (rule.def.id === origin) continue;
        runRule(step, { rule, trigger: queued.event.type, text: queued.text, metric: queued.metric as never, byUnacknowledged: false });
      }
    }
    return { ok: true, state: step.state, events: step.events };
  }
}

function fail(code: string, message: string): EngineResult {
  return { ok: false, code, message };
}

/** §8.4: every move is allowed except into `new` and out of `closed`. */
export function checkTransition(from: Status, to: Status): void {
  if (from === to) return;
  if (to === 'new') throw new EngineError('invalid_transition', `a ticket cannot move back to new (it is ${from})`);
  if (from === 'closed') throw new EngineError('invalid_transition', 'closed is final: a closed ticket cannot change status');
}
