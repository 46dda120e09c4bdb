/**
 * Escalation drills (pure): what the policy would do with a scenario, and how a trainee's
 * decision compares with it.
 *
 * A scenario is a workload (the contract (docs/contract.md) §6). Lines a person decides —
 * `ticket.escalated`, `ticket.deescalated`, `escalation.acknowledged` — are left out: the
 * trainee is the one deciding. The rest runs through the same Simulation as `escalon simulate`
 * (and so the same engine as the live server) for the policy in force; per ticket the first
 * `ticket.escalated` event is what the policy expects (target team and level, reason, rule,
 * virtual time); a ticket the policy never escalates expects "no escalation".
 *
 * Timing is kept simple: an escalation at the moment of one of the ticket's own inputs (it was
 * created, a comment came in…) is `now` — the ticket says enough to escalate on reading it;
 * one fired by a timer (a breach, nobody acknowledging) is `wait` — watch it and escalate when
 * the target is missed.
 *
 * Scoring (5 points a ticket, docs/drills.md): escalate or not 2; when the policy escalates and
 * the trainee too, target 1 (the team, or the level when the trainee names only a level),
 * reason 1, timing 1. A ticket the policy does not escalate: "no escalation" earns all 5, an
 * escalation none.
 */
import { Engine } from './engine/engine.ts';
import type { EngineEvent } from './engine/types.ts';
import type { Policy, ReasonCategory } from './policy/types.ts';
import { Simulation, SimulationError } from './simulation.ts';
import type { WorkloadLine } from './workload.ts';

const DAY = 24 * 3600_000;
export const POINTS = { escalate: 2, target: 1, reason: 1, timing: 1 } as const;
export const MAX_POINTS = POINTS.escalate + POINTS.target + POINTS.reason + POINTS.timing;
/** Inputs a trainee decides: never part of a drill's scenario. */
const DECIDED_BY_PEOPLE = new Set(['ticket.escalated', 'ticket.deescalated', 'escalation.acknowledged']);

export type Timing = 'now' | 'wait';

export interface ExpectedOutcome {
  escalate: boolean;
  team: string | null;
  level: string | null;
  reason: string | null;
  rule: string | null;
  /** What set the rule off (`ticket.created`, `sla.breached`, `unacknowledged`…). */
  trigger: string | null;
  /** Virtual time after the ticket's creation, in ms. */
  offsetMs: number | null;
  timing: Timing | null;
  /** For people: what the policy does and why. */
  explanation: string;
}

export interface TimelineEntry {
  offsetMs: number;
  type: string;
  text: string;
}

export interface ScenarioTicket {
  ref: string;
  createdAt: number;
  priority: string;
  tier: string;
  subject: string;
  body: string;
  channel: string;
  tags: string[];
  category: string | null;
  team: string | null;
  timeline: TimelineEntry[];
  expected: ExpectedOutcome;
}

export interface Scenario {
  tickets: ScenarioTicket[];
  /** Lines left out (decided by people) or refused by the engine, with why. */
  skipped: Array<{ line: number; why: string }>;
}

export interface DrillDecision {
  escalate: boolean;
  team?: string | null | undefined;
  level?: string | null | undefined;
  reason?: ReasonCategory | null | undefined;
  timing?: Timing | null | undefined;
}

export interface ScoreCheck {
  item: 'escalate' | 'target' | 'reason' | 'timing';
  ok: boolean;
  points: number;
  max: number;
  expected: string;
  given: string;
}

export interface DecisionScore {
  points: number;
  max: number;
  checks: ScoreCheck[];
}

const hours = (ms: number) => {
  if (ms < 60_000) return 'at once';
  const m = Math.round(ms / 60_000);
  return m < 120 ? `after ${m} min` : `after ${+(m / 60).toFixed(1)} h`;
};

function describe(line: WorkloadLine): TimelineEntry['text'] {
  const i = line.input;
  switch (i.type) {
    case 'ticket.created':
      return `Created (${i.ticket.priority}, ${i.ticket.organization.tier} customer, via ${i.ticket.channel}): ${i.ticket.subject}`;
    case 'comment.added':
      return `${i.author === 'customer' ? 'Customer' : 'Agent'} ${i.public ? 'replied' : 'noted'}: ${i.body}`;
    case 'status.changed':
      return `Status → ${i.status}`;
    case 'priority.changed':
      return `Priority → ${i.priority}`;
    case 'ticket.assigned':
      return `Assigned to ${i.assignee ?? 'nobody'}${i.team ? ` (team ${i.team})` : ''}`;
    case 'ticket.updated':
      return `Updated${i.tags ? ` tags ${i.tags.join(', ')}` : ''}${i.category !== undefined ? ` category ${i.category ?? 'none'}` : ''}`;
    default:
      return i.type;
  }
}

/** Runs the scenario through the policy's engine: per ticket, the facts, its timeline and what the policy does. */
export function buildScenario(policy: Policy, lines: readonly WorkloadLine[], options: { policyVersion?: number; lenient?: boolean } = {}): Scenario {
  const skipped: Scenario['skipped'] = [];
  const kept = lines.filter((l) => {
    if (!DECIDED_BY_PEOPLE.has(l.input.type)) return true;
    skipped.push({ line: l.line, why: `${l.input.type}: decided by the trainee, not replayed` });
    return false;
  });
  const first = new Map<string, EngineEvent>();
  const before = new Map<string, EngineEvent>();
  const engine = new Engine({ policy, policyVersion: options.policyVersion ?? 1 });
  const sim = new Simulation(engine, (e) => {
    if (first.has(e.ticket)) return;
    if (e.type === 'ticket.escalated') first.set(e.ticket, e);
    else if (e.type === 'sla.breached' || e.type === 'sla.warning') before.set(e.ticket, e);
  });
  const order: string[] = [];
  const created = new Map<string, WorkloadLine>();
  const inputs = new Map<string, WorkloadLine[]>();
  for (const line of kept) {
    try {
      sim.input(line);
    } catch (e) {
      if (!(e instanceof SimulationError) || !options.lenient) throw e;
      skipped.push({ line: line.line, why: e.message.replace(/^line \d+: /, '') });
      continue;
    }
    if (line.input.type === 'ticket.created') {
      order.push(line.ref);
      created.set(line.ref, line);
    }
    inputs.set(line.ref, [...(inputs.get(line.ref) ?? []), line]);
  }
  const last = sim.lastInputAt;
  sim.finish(Number.isFinite(last) ? last + 30 * DAY : 0);

  const tickets = order.map((ref): ScenarioTicket => {
    const c = created.get(ref) as WorkloadLine & { input: { type: 'ticket.created' } };
    const t = c.input.ticket;
    const own = inputs.get(ref) ?? [];
    const esc = first.get(ref);
    let expected: ExpectedOutcome;
    if (!esc) {
      expected = { escalate: false, team: null, level: null, reason: null, rule: null, trigger: null, offsetMs: null, timing: null, explanation: 'The policy never escalates this ticket: no rule moves it, and no target it misses leads anywhere.' };
    } else {
      const d = esc.data;
      const rule = typeof d.rule === 'string' ? d.rule : null;
      const exp = (d.explanation ?? {}) as { trigger?: unknown };
      const timing: Timing = own.some((l) => l.at === esc.at) ? 'now' : 'wait';
      const cause = before.get(ref);
      const trigger = typeof exp.trigger === 'string' ? exp.trigger : cause?.type ?? null;
      const offsetMs = esc.at - c.at;
      const why =
        timing === 'now'
          ? 'on what the ticket said when it came in'
          : `when ${cause && cause.at === esc.at ? `the ${String(cause.data.metric ?? '')} target was missed` : `the timer ${trigger ?? ''} ran out`}`.replace(/\s+/g, ' ');
      expected = {
        escalate: true,
        team: String(d.to_team),
        level: String(d.to_level),
        reason: String(d.reason),
        rule,
        trigger,
        offsetMs,
        timing,
        explanation: `Rule ${rule ?? '(none)'} escalates to team ${String(d.to_team)} (level ${String(d.to_level)}) for ${String(d.reason)}, ${hours(offsetMs)} ${why}.`,
      };
    }
    return {
      ref,
      createdAt: c.at,
      priority: t.priority,
      tier: t.organization.tier,
      subject: t.subject,
      body: t.body,
      channel: t.channel,
      tags: t.tags ?? [],
      category: t.category ?? null,
      team: t.team ?? null,
      timeline: own.map((l) => ({ offsetMs: l.at - c.at, type: l.input.type, text: describe(l) })),
      expected,
    };
  });
  return { tickets, skipped };
}

/** Compares one decision with what the policy does (see the header for the points). */
export function scoreDecision(expected: ExpectedOutcome, decision: DrillDecision): DecisionScore {
  const checks: ScoreCheck[] = [];
  const said = decision.escalate ? 'escalate' : 'no escalation';
  const want = expected.escalate ? 'escalate' : 'no escalation';
  const agree = decision.escalate === expected.escalate;
  checks.push({ item: 'escalate', ok: agree, points: agree ? POINTS.escalate : 0, max: POINTS.escalate, expected: want, given: said });
  const rest = [
    ['target', POINTS.target],
    ['reason', POINTS.reason],
    ['timing', POINTS.timing],
  ] as const;
  if (!expected.escalate || !decision.escalate) {
    // Nothing more to compare: both agree there is no escalation (full marks), or they disagree on the main question.
    for (const [item, max] of rest) checks.push({ item, ok: agree, points: agree ? max : 0, max, expected: expected.escalate ? String(expectedOf(expected, item)) : 'n/a', given: decision.escalate ? givenOf(decision, item) : 'n/a' });
  } else {
    const team = decision.team ?? null;
    const level = decision.level ?? null;
    const targetOk = team !== null ? team === expected.team : level !== null && level === expected.level;
    checks.push({ item: 'target', ok: targetOk, points: targetOk ? POINTS.target : 0, max: POINTS.target, expected: String(expectedOf(expected, 'target')), given: givenOf(decision, 'target') });
    const reasonOk = (decision.reason ?? null) === expected.reason;
    checks.push({ item: 'reason', ok: reasonOk, points: reasonOk ? POINTS.reason : 0, max: POINTS.reason, expected: String(expected.reason), given: givenOf(decision, 'reason') });
    const timingOk = (decision.timing ?? null) === expected.timing;
    checks.push({ item: 'timing', ok: timingOk, points: timingOk ? POINTS.timing : 0, max: POINTS.timing, expected: String(expected.timing), given: givenOf(decision, 'timing') });
  }
  return { points: checks.reduce((s, c) => s + c.points, 0), max: MAX_POINTS, checks };
}

function expectedOf(e: ExpectedOutcome, item: 'target' | 'reason' | 'timing'): string {
  if (item === 'target') return `team ${e.team} (level ${e.level})`;
  return String(item === 'reason' ? e.reason : e.timing);
}

function givenOf(d: DrillDecision, item: 'target' | 'reason' | 'timing'): string {
  if (item === 'target') return d.team ? `team ${d.team}` : d.level ? `level ${d.level}` : 'none';
  return String((item === 'reason' ? d.reason : d.timing) ?? 'none');
}

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
const PHONE = /\+?\d[\d ().-]{7,}\d/g;

/** Replaces e-mail addresses, phone numbers and the given names (whole words, any case) in a text. */
export function scrubText(text: string, names: readonly string[]): string {
  let out = text.replace(EMAIL, 'someone@example.invalid').replace(PHONE, '[phone]');
  const words = [...new Set(names.flatMap((n) => [n, ...n.split(/\s+/)]).map((n) => n.replace(/\(.*?\)/g, '').trim()).filter((n) => n.length >= 3))].sort((a, b) => b.length - a.length);
  for (const w of words) out = out.replace(new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi'), '[name]');
  return out;
}

export interface TraineeTotals {
  decided: number;
  points: number;
  max: number;
  /** Decisions that agreed on escalate-or-not. */
  agreed: number;
}

/** Sums a trainee's scored decisions. */
export function totals(scores: readonly DecisionScore[]): TraineeTotals {
  return {
    decided: scores.length,
    points: scores.reduce((s, x) => s + x.points, 0),
    max: scores.reduce((s, x) => s + x.max, 0),
    agreed: scores.filter((x) => x.checks.find((c) => c.item === 'escalate')?.ok).length,
  };
}
