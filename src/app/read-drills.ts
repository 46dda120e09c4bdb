/**
 * Reading drills: the list (managers and admins see every drill, anyone else the drills they
 * practise), one drill, a trainee's practice queue (what the policy does is shown for a ticket
 * once the trainee decided it; managers see it at once), and the score sheet per trainee, per
 * ticket and per scenario (every drill that ran the same scenario).
 */
import type { Actor, Role } from '../auth/roles.ts';
import { REASONS } from '../domain/policy/types.ts';
import { totals } from '../domain/drills.ts';
import { DomainError } from '../domain/errors.ts';
import { drillDecisions, drillsOfScenario, drillTickets, findDrill, listDrills, type StoredDecision, type StoredDrill, type StoredDrillTicket } from '../store/drills-repo.ts';
import { listUsers } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';
import { exampleScenarios } from './drill-scenarios.ts';
import { PolicyRegistry } from './policy-registry.ts';

const fallback = new PolicyRegistry();
export const runsDrills = (role: Role) => role === 'admin' || role === 'manager';
const pct = (p: number, m: number) => (m === 0 ? 0 : Math.round((p / m) * 1000) / 10);

/** The drill when the actor may see it (a manager, or one of its trainees); DRILL_NOT_FOUND otherwise. */
export async function visibleDrill(deps: AppDeps, actor: Actor, id: string): Promise<StoredDrill> {
  const drill = await findDrill(deps.store.db, id);
  if (!drill || (!runsDrills(actor.role) && !drill.trainees.includes(actor.userId))) {
    throw new DomainError('DRILL_NOT_FOUND', `no drill ${id} that you run or practise: managers see every drill, trainees the drills they are in`, { drill_id: id });
  }
  return drill;
}

async function namesOf(deps: AppDeps): Promise<Map<string, { name: string; email: string }>> {
  return new Map((await listUsers(deps.store.db)).map((u) => [u.id, { name: u.name, email: u.email }]));
}

function drillView(d: StoredDrill, names: Map<string, { name: string; email: string }>, mine: StoredDecision[] | null, isTrainee: boolean) {
  const t = mine ? totals(mine.map((x) => x.score)) : null;
  return {
    id: d.id,
    name: d.name,
    source: d.source,
    scenario: d.scenario,
    policy_version: d.policyVersion,
    created_at: new Date(d.createdAt).toISOString(),
    created_by: names.get(d.createdBy)?.name ?? d.createdBy,
    tickets: d.ticketCount,
    trainees: d.trainees.map((id) => ({ id, name: names.get(id)?.name ?? id })),
    my_progress: isTrainee && t ? { decided: t.decided, points: t.points, max: t.max } : null,
  };
}

export async function listDrillsFor(deps: AppDeps, actor: Actor) {
  const manager = runsDrills(actor.role);
  const drills = await listDrills(deps.store.db, manager ? undefined : actor.userId);
  const names = await namesOf(deps);
  const mine = await drillDecisions(deps.store.db, drills.map((d) => d.id), actor.userId);
  return {
    items: drills.map((d) => drillView(d, names, mine.filter((x) => x.drillId === d.id), d.trainees.includes(actor.userId))),
    can_start: manager,
    scenarios: manager ? exampleScenarios().map((e) => ({ id: e.id, title: e.title, tickets: e.tickets })) : [],
  };
}

export async function readDrill(deps: AppDeps, actor: Actor, id: string) {
  const d = await visibleDrill(deps, actor, id);
  const mine = await drillDecisions(deps.store.db, [d.id], actor.userId);
  return drillView(d, await namesOf(deps), mine, d.trainees.includes(actor.userId));
}

function expectedView(t: StoredDrillTicket) {
  const e = t.expected;
  return { escalate: e.escalate, team: e.team, level: e.level, reason: e.reason, rule: e.rule, trigger: e.trigger, after_ms: e.offsetMs, timing: e.timing, explanation: e.explanation };
}

function ticketView(t: StoredDrillTicket) {
  const f = t.facts;
  return {
    id: t.id,
    position: t.position,
    ref: t.ref,
    priority: f.priority,
    tier: f.tier,
    subject: f.subject,
    body: f.body,
    channel: f.channel,
    tags: f.tags,
    category: f.category,
    timeline: f.timeline.map((e) => ({ after_ms: e.offsetMs, type: e.type, text: e.text })),
  };
}

export function decisionView(d: StoredDecision) {
  return { decision: d.decision, points: d.score.points, max: d.score.max, checks: d.score.checks, decided_at: new Date(d.decidedAt).toISOString() };
}

/** The caller's practice queue: the drill's tickets with their own decisions (and, once decided, what the policy does). */
export async function practiceQueue(deps: AppDeps, actor: Actor, id: string) {
  const d = await visibleDrill(deps, actor, id);
  const [tickets, mine, active] = await Promise.all([drillTickets(deps.store.db, d.id), drillDecisions(deps.store.db, [d.id], actor.userId), (deps.live?.registry ?? fallback).refresh(deps.store.db)]);
  const manager = runsDrills(actor.role);
  return {
    drill: drillView(d, await namesOf(deps), mine, d.trainees.includes(actor.userId)),
    is_trainee: d.trainees.includes(actor.userId),
    tickets: tickets.map((t) => {
      const decided = mine.find((x) => x.drillTicketId === t.id);
      return { ...ticketView(t), decision: decided ? decisionView(decided) : null, expected: decided || manager ? expectedView(t) : null };
    }),
    choices: {
      levels: (active?.policy.levels ?? []).map((l) => ({ id: l.id, name: l.name })),
      teams: (active?.policy.teams ?? []).map((t) => ({ id: t.id, level: t.level, kind: t.kind })),
      reasons: [...REASONS],
    },
  };
}

/** The score sheet: per trainee, per ticket, and the scenario across every drill that ran it. */
export async function drillScores(deps: AppDeps, actor: Actor, id: string) {
  const d = await visibleDrill(deps, actor, id);
  const names = await namesOf(deps);
  const [tickets, decisions] = await Promise.all([drillTickets(deps.store.db, d.id), drillDecisions(deps.store.db, [d.id])]);
  const trainees = d.trainees.map((uid) => {
    const own = decisions.filter((x) => x.userId === uid);
    const t = totals(own.map((x) => x.score));
    const max = tickets.length * (own[0]?.score.max ?? 5);
    return { user_id: uid, name: names.get(uid)?.name ?? uid, email: names.get(uid)?.email ?? null, decided: t.decided, tickets: tickets.length, points: t.points, max, percent: pct(t.points, max), agreed: t.agreed, complete: t.decided === tickets.length };
  });
  const perTicket = tickets.map((t) => {
    const own = decisions.filter((x) => x.drillTicketId === t.id);
    const s = totals(own.map((x) => x.score));
    return {
      id: t.id,
      ref: t.ref,
      subject: t.facts.subject,
      expected: expectedView(t),
      decisions: s.decided,
      agreed: s.agreed,
      points: s.points,
      max: s.max,
      percent: pct(s.points, s.max),
      by_trainee: own.map((x) => ({ user_id: x.userId, name: names.get(x.userId)?.name ?? x.userId, points: x.score.points, max: x.score.max, decision: x.decision })),
    };
  });
  const sameScenario = await drillsOfScenario(deps.store.db, d.scenario);
  const all = await drillDecisions(deps.store.db, sameScenario);
  const s = totals(all.map((x) => x.score));
  return {
    drill: drillView(d, names, null, false),
    trainees,
    tickets: perTicket,
    scenario: { scenario: d.scenario, drills: sameScenario.length, trainees: new Set(all.map((x) => `${x.drillId}/${x.userId}`)).size, decisions: s.decided, points: s.points, max: s.max, percent: pct(s.points, s.max), agreed: s.agreed },
  };
}
