/**
 * Reads of the live engine's view of a ticket: its SLA clocks and escalation state, its
 * escalation history with the why of each automatic one, and the queue views.
 */
import type { Actor } from '../auth/roles.ts';
import { mayAcknowledge } from '../domain/engine/acknowledge-rights.ts';
import { elapsedAt, dueOf } from '../domain/engine/sla.ts';
import type { TicketState } from '../domain/engine/types.ts';
import type { Ticket } from '../domain/ticket.ts';
import { listEvents, type StoredEvent } from '../store/events-repo.ts';
import { rowToTicket } from '../store/tickets-repo.ts';
import type { AppDeps } from './deps.ts';
import { loadEngineState, type LiveEngine } from './live-engine.ts';
import { loadVisibleTicket } from './ticket-access.ts';

export interface ClockView {
  metric: string;
  status: string;
  target_ms: number;
  elapsed_ms: number;
  due: string | null;
  paused: boolean;
  breached: boolean;
}

export interface EngineView {
  policy_version: number | null;
  sla_policy: string | null;
  clocks: ClockView[];
  escalation: {
    level: string | null;
    team: string | null;
    owner: string | null;
    escalations: number;
    acknowledgement_pending: { escalation_id: string; since: string } | null;
    /** Whether the reader may acknowledge the pending escalation (the console offers the button only then). */
    can_acknowledge: boolean;
    /** Why not, when an acknowledgement is pending and the reader may not give it. */
    acknowledge_refusal: string | null;
    chain: Array<{ at: string; from_level: unknown; to_level: unknown; to_team: unknown; reason: unknown; rule: unknown }>;
  };
  next_moments: Array<{ key: string; due: string }>;
}

const ESCALATION_TYPES = new Set(['ticket.escalated', 'ticket.deescalated', 'escalation.acknowledged', 'escalation.refused', 'escalation.skipped', 'escalation.request_recorded']);
const iso = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

export async function engineView(deps: AppDeps & { live: LiveEngine }, actor: Actor, ref: string): Promise<EngineView> {
  const db = deps.store.db;
  const ticket = await loadVisibleTicket(db, actor, ref);
  const state = await loadEngineState(db, ticket.id);
  const active = await deps.live.registry.refresh(db);
  const now = deps.clock.now();
  const sla = state && active ? active.engine.ctx.slaById(state.slaPolicy) : undefined;
  const clocks: ClockView[] = [];
  if (state) {
    for (const clock of Object.values(state.clocks)) {
      if (!clock) continue;
      const cal = sla?.calendar;
      clocks.push({
        metric: clock.metric,
        status: clock.status,
        target_ms: clock.target,
        elapsed_ms: cal ? elapsedAt(clock, cal, now) : clock.elapsed,
        due: cal ? iso(dueOf(clock, cal)) : null,
        paused: clock.status === 'paused',
        breached: clock.breached,
      });
    }
  }
  const events = await escalationEvents(db, ticket);
  const right = state?.pendingAck && active ? mayAcknowledge(state, active.engine.ctx.matrix, { email: actor.email, role: actor.role }) : null;
  return {
    policy_version: state?.policyVersion ?? null,
    sla_policy: state?.slaPolicy ?? null,
    clocks,
    escalation: {
      level: ticket.level,
      team: ticket.team,
      owner: state?.owner ?? null,
      escalations: state?.escalations ?? 0,
      acknowledgement_pending: state?.pendingAck ? { escalation_id: state.pendingAck.escalationId, since: new Date(state.pendingAck.at).toISOString() } : null,
      can_acknowledge: right?.ok === true,
      acknowledge_refusal: right && !right.ok ? right.why : null,
      chain: events
        .filter((e) => e.type === 'ticket.escalated')
        .map((e) => ({ at: new Date(e.at).toISOString(), from_level: e.payload.from_level, to_level: e.payload.to_level, to_team: e.payload.to_team, reason: e.payload.reason, rule: e.payload.rule ?? null })),
    },
    next_moments: state && active ? active.engine.timers(state).map((t) => ({ key: t.key, due: new Date(t.due).toISOString() })) : [],
  };
}

async function escalationEvents(db: AppDeps['store']['db'], ticket: Ticket): Promise<StoredEvent[]> {
  return (await listEvents(db, ticket.id, { includeInternal: true })).filter((e) => ESCALATION_TYPES.has(e.type));
}

export async function escalationHistory(deps: AppDeps, actor: Actor, ref: string): Promise<StoredEvent[]> {
  const ticket = await loadVisibleTicket(deps.store.db, actor, ref);
  return escalationEvents(deps.store.db, ticket);
}

export interface QueueFilter {
  /** `awaiting-ack`: escalations waiting for an acknowledgement the reader may give. */
  view: 'escalated' | 'breaching' | 'by-team' | 'awaiting-ack';
  /** A team id, or several comma-separated. */
  team?: string;
  level?: string;
  within_minutes?: number;
  limit: number;
}

export async function queue(deps: AppDeps, f: QueueFilter, actor?: Actor): Promise<{ tickets: Ticket[]; counts?: Array<{ level: string | null; team: string | null; open: number; escalated: number; unacknowledged: number }> }> {
  const db = deps.store.db;
  if (f.view === 'by-team') {
    const rows = await db
      .selectFrom('tickets')
      .select((eb) => [
        'level',
        'team',
        eb.fn.countAll().as('open'),
        eb.fn.sum(eb.case().when('escalations', '>', 0).then(1).else(0).end()).as('escalated'),
        eb.fn.sum('ack_pending').as('unacknowledged'),
      ])
      .where('status', 'not in', ['solved', 'closed'])
      .groupBy(['level', 'team'])
      .orderBy('level')
      .orderBy('team')
      .execute();
    return {
      tickets: [],
      counts: rows.map((r) => ({ level: r.level, team: r.team, open: Number(r.open), escalated: Number(r.escalated ?? 0), unacknowledged: Number(r.unacknowledged ?? 0) })),
    };
  }
  if (f.view === 'awaiting-ack') return { tickets: actor ? await awaitingAck(deps, f, actor) : [] };
  let q = db.selectFrom('tickets').selectAll().where('status', 'not in', ['solved', 'closed']);
  if (f.team) q = q.where('team', 'in', teamList(f.team));
  if (f.level) q = q.where('level', '=', f.level);
  if (f.view === 'escalated') {
    q = q.where('escalations', '>', 0).orderBy('ack_pending', 'desc').orderBy('next_sla_at', 'asc').orderBy('id');
  } else {
    const horizon = deps.clock.now() + (f.within_minutes ?? 60) * 60_000;
    q = q.where('next_sla_at', 'is not', null).where('next_sla_at', '<=', horizon).orderBy('next_sla_at', 'asc').orderBy('id');
  }
  const rows = await q.limit(f.limit).execute();
  return { tickets: rows.map(rowToTicket) };
}

const teamList = (team: string) => team.split(',').filter((t) => t !== '');

/**
 * Tickets whose pending escalation the actor may acknowledge (the same rights as the
 * acknowledge route), oldest escalation first. Only tickets flagged ack_pending are read, so the
 * engine state is parsed for the few that wait.
 */
async function awaitingAck(deps: AppDeps, f: QueueFilter, actor: Actor): Promise<Ticket[]> {
  const db = deps.store.db;
  const active = deps.live ? await deps.live.registry.refresh(db) : null;
  if (!active) return [];
  let q = db.selectFrom('tickets').selectAll().where('ack_pending', '=', 1).where('status', 'not in', ['solved', 'closed']);
  if (f.team) q = q.where('team', 'in', teamList(f.team));
  if (f.level) q = q.where('level', '=', f.level);
  const rows = await q.orderBy('id').execute();
  const who = { email: actor.email, role: actor.role };
  const mine: Array<{ ticket: Ticket; since: number }> = [];
  for (const row of rows) {
    const state = row.engine_state ? (JSON.parse(row.engine_state) as TicketState) : null;
    if (state?.pendingAck && mayAcknowledge(state, active.engine.ctx.matrix, who).ok) mine.push({ ticket: rowToTicket(row), since: state.pendingAck.at });
  }
  return mine.sort((a, b) => a.since - b.since).slice(0, f.limit).map((m) => m.ticket);
}
