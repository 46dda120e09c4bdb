/**
 * The escalation engine inside the server (issue 4). Every ticket change reaches it through
 * the seam of commit-ticket-change.ts, inside the change's transaction:
 *
 *   1. the foundation's draft events become engine inputs (a comment, a status change, …);
 *      automatic status moves are left to the engine, which makes the same ones;
 *   2. timers of the ticket due before the change fire first, at their own moments (§8.1);
 *   3. the engine's own events (SLA, escalations, rule effects, notifications) follow each
 *      draft; the ticket row takes the engine's view of team, level, priority, status…;
 *   4. after the ticket and events are written: the engine state, the ticket's timers (all
 *      replaced) and one outbox row per notified address, in the same transaction.
 *
 * Timer firings (fire-timers.ts) go through `fire`, and a new policy version through
 * `reapply`: both write through `writeTicketChange` (commit-ticket-change.ts) and persist the
 * same way. Wake-ups (scheduler, dispatcher) go on the caller's unit of work, announced after
 * commit.
 *
 * Risk prediction (issue 14, live-risk.ts): every change folds the ticket's risk memo (model or
 * not) and, when a model is in force, scores the ticket and applies the score as `risk.scored`,
 * so `risk.changed` and risk rules happen in the same transaction; the columns are written with
 * the engine state.
 *
 * Cross-ticket figures (open tickets per agent, for least-loaded assignment) are read in each
 * change's transaction and handed to the engine for that change only (`PolicyRegistry.hostFor`),
 * so concurrent changes never see each other's figures.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import type { Engine } from '../domain/engine/engine.ts';
import type { EngineEvent, EngineHost, EngineInput, TicketState } from '../domain/engine/types.ts';
import { DomainError, type ErrorCode } from '../domain/errors.ts';
import type { Priority, ReasonCategory, Status } from '../domain/policy/types.ts';
import type { DraftEvent, Ticket } from '../domain/ticket.ts';
import { loadEngineState, openTicketsPerAssignee, type NewOutboxRow } from '../store/engine-state-repo.ts';
import { loadEngineRow, riskColumnValues, saveRescore, type EngineRow, type RiskColumns } from '../store/risk-repo.ts';
import type { RiskStep } from '../domain/risk/api.ts';
import { foldSteps, scoreChange, withoutStaleScore } from './live-risk.ts';
import { defaultRiskRegistry, type ActiveRiskModel, type RiskRegistry } from './risk-registry.ts';
import type { StoredEvent } from '../store/events-repo.ts';
import { newId } from '../store/new-id.ts';
import { findOrganization } from '../store/organizations-repo.ts';
import type { Database } from '../store/schema.ts';
import type { TimerRow } from '../store/timers-repo.ts';
import { guardChecklists, withChecklists } from './checklists.ts';
import { writeTicketChange } from './commit-ticket-change.ts';
import { Directory } from './engine-directory.ts';
import type { AfterWrite, TicketChange } from './engine-seam.ts';
import type { ActivePolicy, PolicyRegistry } from './policy-registry.ts';
import type { EngineSignals, UnitOfWork } from './unit-of-work.ts';
import { WriteSet } from './write-set.ts';

export { loadEngineState } from '../store/engine-state-repo.ts';
export type { EngineSignals } from './unit-of-work.ts';

type Db = Kysely<Database>;

/** One ticket as a batch of timer firings holds it: its row, engine row and timer rows, moved on by each firing. */
export interface FireSlot {
  ticket: Ticket;
  row: EngineRow;
  timers: TimerRow[];
}

/** What a batch of timer firings shares (fire-timers.ts): its writes, user look-ups, risk model, and the ticket at hand. */
export interface FireBatch {
  set: WriteSet;
  dir: Directory;
  model: ActiveRiskModel | null;
  slot: FireSlot;
}

export interface EngineOutcome {
  ticket: Ticket;
  events: DraftEvent[];
  after?: AfterWrite;
}

/** Drafts whose engine echo replaces them (the engine knows more: from/to level, ids). */
const ENGINE_NATIVE = new Set(['ticket.escalated', 'ticket.deescalated', 'escalation.acknowledged']);
const MAX_CATCH_UP = 1000;

function toDraft(e: EngineEvent): DraftEvent {
  return { type: e.type, payload: e.data, internal: e.internal, at: e.at, actor: e.actor };
}

function errorCode(code: string): ErrorCode {
  const upper = code.toUpperCase();
  const known: Record<string, ErrorCode> = {
    INVALID_TRANSITION: 'INVALID_TRANSITION',
    TICKET_CLOSED: 'INVALID_TRANSITION',
    ESCALATION_REFUSED: 'ESCALATION_REFUSED',
    DEESCALATION_REFUSED: 'DEESCALATION_REFUSED',
    NOTHING_TO_ACKNOWLEDGE: 'NOTHING_TO_ACKNOWLEDGE',
    UNKNOWN_TEAM: 'UNKNOWN_TEAM',
    UNKNOWN_LEVEL: 'UNKNOWN_LEVEL',
  };
  return known[upper] ?? 'VALIDATION_FAILED';
}

export class LiveEngine {
  constructor(
    readonly registry: PolicyRegistry,
    private readonly clock: Clock,
    /** Flushed by the use cases after their transaction commits (unit-of-work.ts). */
    readonly signals: EngineSignals = { timersChanged: () => undefined, outboxChanged: () => undefined },
    /** The risk model setting (null: this build has no risk models; nothing is folded or scored). */
    readonly risk: RiskRegistry | null = defaultRiskRegistry(),
  ) {}

  async onTicketChange(trx: Db, change: TicketChange): Promise<EngineOutcome> {
    // A person solving, closing or de-escalating with required checklist items open is refused first (checklists.ts).
    await guardChecklists(trx, change.before, change.events);
    const active = await this.registry.refresh(trx);
    if (!active) return { ticket: change.ticket, events: change.events };
    const engine = active.engine.withHost(await this.hostFor(trx, active.engine));
    const model = this.risk ? await this.risk.refresh(trx) : null;
    const dir = new Directory(trx);
    const row = change.before ? await loadEngineRow(trx, change.before.id) : { state: null, memo: null, riskModel: null };
    let state = row.state ? withoutStaleScore(row.state, model) : null;
    if (change.before && !state) state = await this.bootstrap(trx, engine, change.before, change.at, dir);
    const out: DraftEvent[] = [];
    const steps: RiskStep[] = [];
    for (const draft of change.events) {
      const input = await this.toInput(trx, draft, change, dir);
      if (input === 'skip') continue;
      if (input === null) {
        out.push(draft);
        continue;
      }
      if (state) state = this.catchUp(engine, state, change.at, out, steps);
      const result = engine.apply(state, input, change.at);
      if (!result.ok) throw new DomainError(errorCode(result.code), result.message, { ticket: change.ticket.key });
      state = result.state;
      steps.push({ at: change.at, input, events: result.events });
      const [echo, ...rest] = result.events;
      if (echo && ENGINE_NATIVE.has(draft.type)) out.push({ ...toDraft(echo), actor: undefined });
      else if (echo && draft.type === 'ticket.created') {
        out.push({ ...draft, payload: { ...draft.payload, team: echo.data.team, level: echo.data.level, sentiment: echo.data.sentiment, risk: echo.data.risk } });
      } else out.push(draft);
      out.push(...rest.map(toDraft));
    }
    let columns: RiskColumns | null = null;
    if (state && this.risk) {
      const memo = foldSteps(this.risk.fold, row.memo, steps);
      const scored = await scoreChange(trx, engine, model, { id: change.ticket.id, requesterId: change.ticket.requesterId }, state, memo, row.riskModel, change.at, this.risk.fold);
      state = scored.state;
      out.push(...scored.events.map(toDraft));
      columns = scored.columns;
    }
    const events = await withChecklists(trx, change.before?.id ?? null, active.policy, active.version, out);
    if (!state) return { ticket: change.ticket, events };
    const final = state;
    const ticket = await this.writeBack(change.ticket, final, change.at, dir);
    return { ticket, events, after: async (_db, uow, stored, set) => void this.persist(uow, engine, ticket.id, final, stored, columns, set) };
  }

  /**
   * Rescores one open ticket (the scheduler's periodic pass, risk-rescore.ts), under the
   * caller's row lock: nothing happened to the ticket but time moved. Within its band only the
   * state and columns change (no event, no new version); a band crossing is written as a
   * change with its `risk.changed` and whatever rules follow. Returns whether events were written.
   */
  async rescore(trx: Db, uow: UnitOfWork, ticket: Ticket, policy: ActivePolicy, model: ActiveRiskModel, at: number): Promise<boolean> {
    if (!this.risk || ticket.status === 'solved' || ticket.status === 'closed') return false;
    const row = await loadEngineRow(trx, ticket.id);
    if (!row.state) return false;
    const engine = policy.engine.withHost(await this.hostFor(trx, policy.engine));
    const memo = row.memo ?? foldSteps(this.risk.fold, null, []);
    const scored = await scoreChange(trx, engine, model, ticket, row.state, memo, row.riskModel, at, this.risk.fold);
    if (scored.events.length === 0) {
      await saveRescore(trx, ticket.id, ticket.version, scored.state, scored.columns);
      return false;
    }
    const next = await this.writeBack(ticket, scored.state, at, new Directory(trx));
    await writeTicketChange(trx, uow, this.clock, {
      before: ticket,
      ticket: next,
      events: await withChecklists(trx, ticket.id, policy.policy, policy.version, scored.events.map(toDraft)),
      at,
      actor: 'system',
      after: async (_db, u, stored, set) => void this.persist(u, engine, ticket.id, scored.state, stored, scored.columns, set),
    });
    return true;
  }

  /**
   * Fires one claimed timer inside the caller's transaction (the caller holds the ticket's row
   * lock and checked the timer row is still owed). Returns false when the engine no longer
   * owes it (the timers are then recomputed).
   *
   * `batch` (fire-timers.ts): the ticket and its engine row as the batch holds them (read once
   * with the row lock, carried from one firing of the ticket to the next), and the batch's
   * WriteSet, directory and risk model; the slot is moved on to the ticket as this firing leaves
   * it, and the writes wait in the set for the batch's flush. Without `batch`, the engine row is
   * read here and the writes go out before this returns.
   */
  async fire(trx: Db, uow: UnitOfWork, ticket: Ticket, timer: TimerRow, policy?: ActivePolicy | null, batch?: FireBatch): Promise<boolean> {
    // A batch checks the policy version once and passes it in (policy === undefined: check here).
    const active = policy === undefined ? await this.registry.refresh(trx) : policy;
    if (batch) return this.fireInto(trx, uow, active, timer, batch);
    // With risk prediction the memo comes in the same read, and a score left by a model no longer in force goes first.
    const model = this.risk ? await this.risk.refresh(trx) : null;
    const row = this.risk ? await loadEngineRow(trx, ticket.id) : { state: await loadEngineState(trx, ticket.id), memo: null, riskModel: null };
    const own: FireBatch = { set: new WriteSet(uow.dialect), dir: new Directory(trx), model, slot: { ticket, row, timers: [] } };
    const fired = await this.fireInto(trx, uow, active, timer, own);
    await own.set.flush(trx);
    return fired;
  }

  private async fireInto(trx: Db, uow: UnitOfWork, active: ActivePolicy | null, timer: TimerRow, batch: FireBatch): Promise<boolean> {
    const { set, slot, model } = batch;
    const ticket = slot.ticket;
    const row = slot.row;
    const now = this.clock.now();
    const state = row.state && this.risk ? withoutStaleScore(row.state, model) : row.state;
    if (!active || !state) {
      slot.timers = set.replaceTimers(ticket.id, [], now);
      return false;
    }
    const engine = active.engine.withHost(await this.hostFor(trx, active.engine, set));
    const result = engine.fire(state, timer.kind, timer.dueAt);
    if (!result.ok || result.stale) {
      slot.timers = set.replaceTimers(ticket.id, engine.timers(state), now);
      return false;
    }
    // Time moved and something may have happened (a breach): fold it and score (issue 14).
    let fired = { state: result.state, events: result.events };
    let columns: RiskColumns | null = null;
    if (this.risk) {
      // The requester's profile reads other tickets' rows and rollups: the batch's pending writes go first.
      if (model) await set.flush(trx);
      const memo = foldSteps(this.risk.fold, row.memo, [{ at: timer.dueAt, input: null, events: result.events }]);
      const scored = await scoreChange(trx, engine, model, ticket, result.state, memo, row.riskModel, timer.dueAt, this.risk.fold);
      fired = { state: scored.state, events: [...result.events, ...scored.events] };
      columns = scored.columns;
    }
    const nextRow: EngineRow = { state: fired.state, memo: columns ? columns.memo : row.memo, riskModel: columns?.score?.model ?? row.riskModel };
    if (fired.events.length === 0) {
      // Fired without a visible effect (an idle rule whose condition did not hold): only the
      // state moves on (the timer is spent).
      slot.timers = this.persist(uow, engine, ticket.id, fired.state, [], columns, set);
      slot.row = nextRow;
      return true;
    }
    const next = await this.writeBack(ticket, fired.state, timer.dueAt, batch.dir);
    const drafts = fired.events.map(toDraft);
    // A checklist read sees this ticket's earlier firings of the batch.
    if (set.hasEventsOf(ticket.id) && drafts.some((d) => d.type === 'ticket.escalated')) await set.flush(trx);
    const committed = await writeTicketChange(
      trx,
      uow,
      this.clock,
      {
        before: ticket,
        ticket: next,
        events: await withChecklists(trx, ticket.id, active.policy, active.version, drafts),
        at: timer.dueAt,
        actor: 'system',
        after: async (_db, u, stored, s) => {
          slot.timers = this.persist(u, engine, ticket.id, fired.state, stored, columns, s);
        },
      },
      set,
    );
    slot.ticket = committed.ticket;
    slot.row = nextRow;
    return true;
  }

  /** Re-applies a new policy version to one ticket's state (policy apply). */
  async reapply(trx: Db, uow: UnitOfWork, engine: Engine, ticket: Ticket, at: number): Promise<number> {
    const state = await loadEngineState(trx, ticket.id);
    if (!state) return 0;
    const result = engine.reapply(state, at);
    if (!result.ok) throw new DomainError('POLICY_INVALID', result.message, { ticket: ticket.key });
    const next = await this.writeBack(ticket, result.state, at, new Directory(trx));
    await writeTicketChange(trx, uow, this.clock, {
      before: ticket,
      ticket: next,
      events: result.events.map(toDraft),
      at,
      actor: 'system',
      after: async (_db, u, stored, set) => void this.persist(u, engine, ticket.id, result.state, stored, null, set),
    });
    return result.events.length;
  }

  private catchUp(engine: Engine, state: TicketState, at: number, out: DraftEvent[], steps: RiskStep[]): TicketState {
    let current = state;
    for (let i = 0; i < MAX_CATCH_UP; i++) {
      const next = engine.nextTimer(current);
      if (!next || next.due >= at) break;
      const result = engine.fire(current, next.key, next.due);
      if (!result.ok) break;
      current = result.state;
      out.push(...result.events.map(toDraft));
      steps.push({ at: next.due, input: null, events: result.events });
    }
    return current;
  }

  private async bootstrap(trx: Db, engine: Engine, t: Ticket, at: number, dir: Directory): Promise<TicketState | null> {
    const created = await this.createdInput(trx, t, dir);
    const result = engine.apply(null, created, at);
    return result.ok ? result.state : null;
  }

  private async createdInput(trx: Db, t: Ticket, dir: Directory): Promise<EngineInput> {
    const org = await findOrganization(trx, t.organizationId);
    return {
      type: 'ticket.created',
      ticket: {
        ref: t.key,
        priority: t.priority,
        organization: { id: t.organizationId, tier: org?.tier ?? 'standard', contract_value: org?.contractValue ?? null },
        subject: t.subject,
        body: t.body,
        channel: t.channel,
        tags: t.tags,
        team: t.team ?? undefined,
        category: t.category,
        requester: await dir.emailOf(t.requesterId),
      },
    };
  }

  private async toInput(trx: Db, draft: DraftEvent, change: TicketChange, dir: Directory): Promise<EngineInput | 'skip' | null> {
    const p = draft.payload;
    const actor = await dir.actorEmail(change.actor);
    switch (draft.type) {
      case 'ticket.created': {
        const input = await this.createdInput(trx, { ...change.ticket, assigneeId: null }, dir);
        return { ...input, actor } as EngineInput;
      }
      case 'comment.added':
        return {
          type: 'comment.added',
          author: p.author_kind === 'customer' ? 'customer' : 'agent',
          public: p.public === true,
          body: change.commentBody ?? '',
          actor,
        };
      case 'status.changed':
        return p.automatic === true ? 'skip' : { type: 'status.changed', status: p.to as Status, actor };
      case 'priority.changed':
        return { type: 'priority.changed', priority: p.to as Priority, actor };
      case 'ticket.assigned':
        return { type: 'ticket.assigned', assignee: await dir.emailOf((p.to as string | null) ?? null), actor };
      case 'ticket.updated':
        if (p.field === 'tags') return { type: 'ticket.updated', tags: p.to as string[], actor };
        if (p.field === 'category') return { type: 'ticket.updated', category: (p.to as string | null) ?? null, actor };
        return null;
      case 'ticket.escalated':
        return {
          type: 'ticket.escalated',
          toLevel: p.to_level as string | undefined,
          toTeam: p.to_team as string | undefined,
          reason: p.reason as ReasonCategory,
          documentation: p.documentation as never,
          requireAck: p.require_ack === true,
          ...(p.by_customer === true && { byCustomer: true }),
          ...(typeof p.comment === 'string' && { comment: p.comment }),
          actor,
        };
      case 'ticket.deescalated':
        return { type: 'ticket.deescalated', toLevel: p.to_level as string | undefined, toTeam: p.to_team as string | undefined, reason: String(p.reason), actor };
      case 'escalation.acknowledged':
        return { type: 'escalation.acknowledged', actor };
      default:
        return null;
    }
  }

  /** The ticket row as the engine left the ticket. */
  private async writeBack(t: Ticket, s: TicketState, at: number, dir: Directory): Promise<Ticket> {
    const currentEmail = await dir.emailOf(t.assigneeId);
    const assigneeId = s.assignee === currentEmail ? t.assigneeId : await dir.idOf(s.assignee);
    const ownerId = t.ownerId ?? (await dir.idOf(s.owner));
    const solved = s.status === 'solved' || s.status === 'closed';
    return {
      ...t,
      priority: s.priority,
      status: s.status,
      tags: s.tags,
      category: s.category,
      team: s.team,
      level: s.level,
      assigneeId,
      ownerId,
      reassignments: s.reassignments,
      teamMoves: s.teamMoves,
      bounces: s.bounces,
      reopens: s.reopens,
      solvedAt: s.status === 'solved' ? (t.solvedAt ?? at) : solved ? t.solvedAt : null,
    };
  }

  /** The engine state, the ticket's timers (all replaced) and its outbox rows, into `set`; returns the timer rows. */
  private persist(uow: UnitOfWork, engine: Engine, ticketId: string, state: TicketState, stored: StoredEvent[], risk: RiskColumns | null, set: WriteSet): TimerRow[] {
    const now = this.clock.now();
    const timers = engine.timers(state);
    const nextSla = timers.find((t) => t.key.startsWith('sla:'))?.due ?? null;
    set.saveEngineState(ticketId, state, nextSla, risk ? riskColumnValues(risk) : {});
    const rows = set.replaceTimers(ticketId, timers, now);
    const outbox = stored.flatMap((e): NewOutboxRow[] => {
      if (e.type !== 'notification.queued') return [];
      const p = e.payload;
      const to = Array.isArray(p.to) ? (p.to as string[]) : [];
      return to.map((recipient) => ({
        id: newId(now),
        ticket_id: ticketId,
        channel: String(p.channel ?? 'email'),
        recipient,
        template: String(p.template),
        payload: JSON.stringify({ event_id: e.id, ticket_id: ticketId, rule: p.rule ?? null, audience: p.audience ?? 'internal', recipient_role: p.recipient ?? null }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        last_error: null,
      }));
    });
    set.addOutbox(outbox);
    uow.timersChanged(timers[0]?.due ?? null);
    if (outbox.length > 0) uow.outboxChanged();
    return rows;
  }

  /** This change's host: open tickets per assignee (read only when a rule assigns least-loaded, after the pending writes). */
  private async hostFor(trx: Db, engine: Engine, set?: WriteSet): Promise<EngineHost> {
    const usesLeastLoaded = engine.ctx.policy.rules.some((r) => r.do.some((a) => a.kind === 'assign' && a.to.kind === 'least_loaded'));
    if (usesLeastLoaded && set) await set.flush(trx);
    return this.registry.hostFor(usesLeastLoaded ? await openTicketsPerAssignee(trx) : new Map());
  }
}
