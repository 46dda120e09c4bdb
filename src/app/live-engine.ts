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
 * Timer firings (fire-timers.ts) go through `fire`, which persists the same way.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import type { Engine } from '../domain/engine/engine.ts';
import type { EngineEvent, EngineInput, TicketState } from '../domain/engine/types.ts';
import { DomainError, type ErrorCode } from '../domain/errors.ts';
import type { Priority, ReasonCategory, Status } from '../domain/policy/types.ts';
import type { DraftEvent, Ticket } from '../domain/ticket.ts';
import { applyToRollups } from '../reporting/rollups.ts';
import { appendEvents, type StoredEvent } from '../store/events-repo.ts';
import { newId } from '../store/new-id.ts';
import type { Database } from '../store/schema.ts';
import { updateTicket } from '../store/tickets-repo.ts';
import { replaceTimers, type TimerRow } from '../store/timers-repo.ts';
import { changeFeed } from './change-feed.ts';
import { Directory } from './engine-directory.ts';
import type { TicketChange } from './engine-seam.ts';
import type { ActivePolicy, PolicyRegistry } from './policy-registry.ts';

type Db = Kysely<Database>;
export type AfterWrite = (trx: Db, stored: StoredEvent[]) => Promise<void>;
export interface EngineOutcome {
  ticket: Ticket;
  events: DraftEvent[];
  after?: AfterWrite;
}

/** What the engine's activity wakes up in this process (the scheduler, the dispatcher). */
export interface EngineSignals {
  timersChanged(earliest: number | null): void;
  outboxChanged(): void;
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

export async function loadEngineState(db: Db, ticketId: string): Promise<TicketState | null> {
  const row = await db.selectFrom('tickets').select('engine_state').where('id', '=', ticketId).executeTakeFirst();
  return row?.engine_state ? (JSON.parse(row.engine_state) as TicketState) : null;
}

export class LiveEngine {
  constructor(
    readonly registry: PolicyRegistry,
    private readonly clock: Clock,
    private readonly signals: EngineSignals = { timersChanged: () => undefined, outboxChanged: () => undefined },
  ) {}

  async onTicketChange(trx: Db, change: TicketChange): Promise<EngineOutcome> {
    const active = await this.registry.refresh(trx);
    if (!active) return { ticket: change.ticket, events: change.events };
    const engine = active.engine;
    const dir = new Directory(trx);
    await this.loadWorkload(trx, engine);
    let state = change.before ? await loadEngineState(trx, change.before.id) : null;
    if (change.before && !state) state = await this.bootstrap(trx, engine, change.before, change.at, dir);
    const out: DraftEvent[] = [];
    for (const draft of change.events) {
      const input = await this.toInput(trx, draft, change, dir);
      if (input === 'skip') continue;
      if (input === null) {
        out.push(draft);
        continue;
      }
      if (state) state = this.catchUp(engine, state, change.at, out);
      const result = engine.apply(state, input, change.at);
      if (!result.ok) throw new DomainError(errorCode(result.code), result.message, { ticket: change.ticket.key });
      state = result.state;
      const [echo, ...rest] = result.events;
      if (echo && ENGINE_NATIVE.has(draft.type)) out.push({ ...toDraft(echo), actor: undefined });
      else if (echo && draft.type === 'ticket.created') {
        out.push({ ...draft, payload: { ...draft.payload, team: echo.data.team, level: echo.data.level, sentiment: echo.data.sentiment, risk: echo.data.risk } });
      } else out.push(draft);
      out.push(...rest.map(toDraft));
    }
    if (!state) return { ticket: change.ticket, events: out };
    const final = state;
    const ticket = await this.writeBack(change.ticket, final, change.at, dir);
    return { ticket, events: out, after: (db, stored) => this.persist(db, engine, ticket.id, final, stored) };
  }

  /**
   * Fires one claimed timer inside the caller's transaction (the caller holds the ticket's row
   * lock and checked the timer row is still owed). Returns false when the engine no longer
   * owes it (the timers are then recomputed).
   */
  async fire(trx: Db, ticket: Ticket, timer: TimerRow, policy?: ActivePolicy | null): Promise<boolean> {
    // A batch checks the policy version once and passes it in (policy === undefined: check here).
    const active = policy === undefined ? await this.registry.refresh(trx) : policy;
    const state = await loadEngineState(trx, ticket.id);
    if (!active || !state) {
      await replaceTimers(trx, ticket.id, [], this.clock.now());
      return false;
    }
    const engine = active.engine;
    await this.loadWorkload(trx, engine);
    const result = engine.fire(state, timer.kind, timer.dueAt);
    if (!result.ok || result.stale) {
      await replaceTimers(trx, ticket.id, engine.timers(state), this.clock.now());
      return false;
    }
    if (result.events.length === 0) {
      // Fired without a visible effect (an idle rule whose condition did not hold): only the
      // state moves on (the timer is spent).
      await this.persist(trx, engine, ticket.id, result.state, []);
      return true;
    }
    const dir = new Directory(trx);
    const next = await this.writeBack(ticket, result.state, timer.dueAt, dir);
    const written: Ticket = { ...next, version: ticket.version + 1, updatedAt: timer.dueAt };
    await updateTicket(trx, written);
    const stored = await appendEvents(
      trx,
      { ticketId: ticket.id, at: timer.dueAt, recordedAt: this.clock.now(), actor: 'system' },
      result.events.map(toDraft),
    );
    await this.persist(trx, engine, ticket.id, result.state, stored);
    await applyToRollups(trx, ticket.id, stored);
    changeFeed.publish({ key: ticket.key, organizationId: ticket.organizationId });
    return true;
  }

  /** Re-applies a new policy version to one ticket's state (policy apply). */
  async reapply(trx: Db, engine: Engine, ticket: Ticket, at: number): Promise<number> {
    const state = await loadEngineState(trx, ticket.id);
    if (!state) return 0;
    const result = engine.reapply(state, at);
    if (!result.ok) throw new DomainError('POLICY_INVALID', result.message, { ticket: ticket.key });
    const dir = new Directory(trx);
    const next = await this.writeBack(ticket, result.state, at, dir);
    if (result.events.length > 0) {
      await updateTicket(trx, { ...next, version: ticket.version + 1, updatedAt: at });
    }
    const stored = await appendEvents(trx, { ticketId: ticket.id, at, recordedAt: this.clock.now(), actor: 'system' }, result.events.map(toDraft));
    await this.persist(trx, engine, ticket.id, result.state, stored);
    if (stored.length > 0) await applyToRollups(trx, ticket.id, stored);
    return result.events.length;
  }

  private catchUp(engine: Engine, state: TicketState, at: number, out: DraftEvent[]): TicketState {
    let current = state;
    for (let i = 0; i < MAX_CATCH_UP; i++) {
      const next = engine.nextTimer(current);
      if (!next || next.due >= at) break;
      const result = engine.fire(current, next.key, next.due);
      if (!result.ok) break;
      current = result.state;
      out.push(...result.events.map(toDraft));
    }
    return current;
  }

  private async bootstrap(trx: Db, engine: Engine, t: Ticket, at: number, dir: Directory): Promise<TicketState | null> {
    const created = await this.createdInput(trx, t, dir);
    const result = engine.apply(null, created, at);
    return result.ok ? result.state : null;
  }

  private async createdInput(trx: Db, t: Ticket, dir: Directory): Promise<EngineInput> {
    const org = await trx.selectFrom('organizations').select(['tier', 'contract_value']).where('id', '=', t.organizationId).executeTakeFirst();
    return {
      type: 'ticket.created',
      ticket: {
        ref: t.key,
        priority: t.priority,
        organization: { id: t.organizationId, tier: org?.tier ?? 'standard', contract_value: org?.contract_value ?? null },
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
      reopens: s.reopens,
      solvedAt: s.status === 'solved' ? (t.solvedAt ?? at) : solved ? t.solvedAt : null,
    };
  }

  private async persist(trx: Db, engine: Engine, ticketId: string, state: TicketState, stored: StoredEvent[]): Promise<void> {
    const now = this.clock.now();
    const timers = engine.timers(state);
    const nextSla = timers.find((t) => t.key.startsWith('sla:'))?.due ?? null;
    await trx
      .updateTable('tickets')
      .set({ engine_state: JSON.stringify(state), escalations: state.escalations, ack_pending: state.pendingAck ? 1 : 0, next_sla_at: nextSla })
      .where('id', '=', ticketId)
      .execute();
    await replaceTimers(trx, ticketId, timers, now);
    const outbox = stored.flatMap((e) => {
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
    if (outbox.length > 0) await trx.insertInto('outbox').values(outbox).execute();
    const earliest = timers[0]?.due ?? null;
    setImmediate(() => {
      this.signals.timersChanged(earliest);
      if (outbox.length > 0) this.signals.outboxChanged();
    });
  }

  /** Open tickets per assignee, for least-loaded assignment. */
  private async loadWorkload(trx: Db, engine: Engine): Promise<void> {
    const usesLeastLoaded = engine.ctx.policy.rules.some((r) => r.do.some((a) => a.kind === 'assign' && a.to.kind === 'least_loaded'));
    if (!usesLeastLoaded) return;
    const rows = await trx
      .selectFrom('tickets')
      .innerJoin('users', 'users.id', 'tickets.assignee_id')
      .select(['users.email as email', (eb) => eb.fn.countAll().as('n')])
      .where('tickets.status', 'not in', ['solved', 'closed'])
      .groupBy('users.email')
      .execute();
    this.registry.host.load = new Map(rows.map((r) => [r.email, Number(r.n)]));
  }
}
