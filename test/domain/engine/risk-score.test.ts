// Issue 14, the engine's side of risk prediction: `risk.scored` stores the score, `risk.changed`
// only on a band crossing (the first band included), the trigger, `risk.score` in conditions,
// and `enabled: false` rules.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/domain/engine/engine.ts';
import type { EngineInput, TicketState } from '../../../src/domain/engine/types.ts';
import { compileCondition } from '../../../src/domain/policy/condition.ts';
import { parsePolicy } from '../../../src/domain/policy/parse.ts';
import { riskBand } from '../../../src/domain/risk/api.ts';
import { policyOf } from './harness.ts';
import { readFileSync } from 'node:fs';

const BASE = `
version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels: [ { id: L1 }, { id: L2 } ]
teams:
  frontline: { level: L1, members: [a@x.test] }
  experts: { level: L2, members: [b@x.test], lead: b@x.test }
sla:
  - id: std
    calendar: always
    targets:
      urgent: { first_response: 1h, resolution: 8h }
      high: { first_response: 1h, resolution: 8h }
      normal: { first_response: 4h, resolution: 24h }
      low: { first_response: 8h, resolution: 48h }
`;

const RULE = `
rules:
  - id: likely-to-breach
    on: risk.changed
    if: { risk.score: { gte: 0.7 } }
    do:
      - escalate: { to: next_level, reason: sla_risk }
      - add_note: "Escalated before the breach."
`;

const T0 = Date.parse('2026-12-01T10:00:00Z');
const MIN = 60_000;

function engineOf(yaml: string): Engine {
  return new Engine({ policy: policyOf(yaml) });
}

function create(engine: Engine): TicketState {
  const r = engine.apply(null, { type: 'ticket.created', ticket: { ref: 'T-1', priority: 'normal', organization: { id: 'acme', tier: 'standard' }, subject: 'Slow', body: 'It is slow.', channel: 'email' } }, T0);
  if (!r.ok) throw new Error(r.message);
  return r.state;
}

function scored(risk: number, model = 'm1'): EngineInput {
  return { type: 'risk.scored', risk, band: riskBand(risk), reasons: [{ feature: 'waiting on staff 3h', effect: 0.2 }, { feature: 'priority normal', effect: -0.05 }], model };
}

function apply(engine: Engine, state: TicketState, input: EngineInput, at: number) {
  const r = engine.apply(state, input, at);
  if (!r.ok) throw new Error(r.message);
  return r;
}

describe('risk.scored and risk.changed', () => {
  it('stores the score; the first score emits risk.changed from none (null), internal, by system', () => {
    const engine = engineOf(BASE);
    const r = apply(engine, create(engine), scored(0.1), T0 + MIN);
    expect(r.state.riskScore).toEqual({ risk: 0.1, band: 'low', reasons: [{ feature: 'waiting on staff 3h', effect: 0.2 }, { feature: 'priority normal', effect: -0.05 }], model: 'm1', at: T0 + MIN });
    expect(r.events).toEqual([
      { at: T0 + MIN, ticket: 'T-1', type: 'risk.changed', actor: 'system', internal: true, data: { from: null, to: 'low', risk: 0.1, reasons: r.state.riskScore?.reasons, model: 'm1' } },
    ]);
  });

  it('emits nothing for a score that stays in its band, but keeps the latest score', () => {
    const engine = engineOf(BASE);
    let s = apply(engine, create(engine), scored(0.31), T0).state;
    for (const [i, risk] of [0.35, 0.5, 0.59, 0.3].entries()) {
      const r = apply(engine, s, scored(risk), T0 + (i + 1) * MIN);
      expect(r.events).toEqual([]);
      expect(r.state.riskScore?.risk).toBe(risk);
      s = r.state;
    }
  });

  it('emits risk.changed on each band crossing, up and down', () => {
    const engine = engineOf(BASE);
    let s = create(engine);
    const seen: Array<[unknown, unknown]> = [];
    for (const [i, risk] of [0.1, 0.2, 0.45, 0.65, 0.62, 0.29].entries()) {
      const r = apply(engine, s, scored(risk), T0 + i * MIN);
      for (const e of r.events) seen.push([e.data.from, e.data.to]);
      s = r.state;
    }
    expect(seen).toEqual([[null, 'low'], ['low', 'medium'], ['medium', 'high'], ['high', 'low']]);
  });

  it('leaves a solved ticket alone and refuses a risk that is not a probability', () => {
    const engine = engineOf(BASE);
    const solved = apply(engine, create(engine), { type: 'status.changed', status: 'solved' }, T0 + MIN).state;
    const r = apply(engine, solved, scored(0.9), T0 + 2 * MIN);
    expect(r.events).toEqual([]);
    expect(r.state.riskScore).toBeUndefined();
    const bad = engine.apply(create(engine), { ...(scored(0.5) as object), risk: 1.5 } as EngineInput, T0);
    expect(bad).toMatchObject({ ok: false, code: 'invalid_risk' });
  });

  it('is a rule trigger: a risk rule escalates with the score and reasons in the why, and notes them', () => {
    const engine = engineOf(BASE + RULE);
    let s = apply(engine, create(engine), scored(0.4), T0).state;
    expect(s.level).toBe('L1');
    const r = apply(engine, s, scored(0.83), T0 + MIN);
    s = r.state;
    expect(s.level).toBe('L2');
    const esc = r.events.find((e) => e.type === 'ticket.escalated');
    expect(esc?.actor).toBe('rule:likely-to-breach');
    expect(esc?.data.reason).toBe('sla_risk');
    expect(esc?.data.explanation).toEqual({
      rule: 'likely-to-breach',
      trigger: 'risk.changed',
      policy_version: 1,
      conditions: [{ field: 'risk.score', op: 'gte', expected: 0.7, actual: 0.83, matched: true }],
      risk: { score: 0.83, band: 'high', model: 'm1', reasons: [{ feature: 'waiting on staff 3h', effect: 0.2 }, { feature: 'priority normal', effect: -0.05 }] },
    });
    const note = r.events.find((e) => e.type === 'comment.added');
    expect(note?.data.body).toBe('Escalated before the breach.\n\nRisk 0.83 (high): waiting on staff 3h +0.20; priority normal −0.05');
    // Still high: no event, no second escalation.
    expect(apply(engine, s, scored(0.9), T0 + 2 * MIN).events).toEqual([]);
  });

  it('a crossing into high below the threshold does not fire the rule', () => {
    const engine = engineOf(BASE + RULE);
    const r = apply(engine, create(engine), scored(0.65), T0);
    expect(r.events.map((e) => e.type)).toEqual(['risk.changed']);
    expect(r.state.level).toBe('L1');
  });

  it('an enabled: false rule is parsed, kept and never runs', () => {
    const yaml = BASE + RULE.replace('    on: risk.changed', '    enabled: false\n    on: risk.changed');
    const policy = policyOf(yaml);
    expect(policy.rules[0]).toMatchObject({ id: 'likely-to-breach', enabled: false });
    const engine = new Engine({ policy });
    const r = apply(engine, create(engine), scored(0.95), T0);
    expect(r.events.map((e) => e.type)).toEqual(['risk.changed']);
    expect(r.state.level).toBe('L1');
    expect(engine.ctx.rule('likely-to-breach')).toBeUndefined();
  });

  it('a disabled idle rule sets no timer', () => {
    const yaml = `${BASE}
rules:
  - id: nudge
    enabled: false
    on: { idle: 1h }
    do: [ { add_note: "idle" } ]
`;
    const engine = engineOf(yaml);
    expect(engine.timers(create(engine)).filter((t) => t.key.startsWith('idle:'))).toEqual([]);
    expect(engineOf(yaml.replace('    enabled: false\n', '')).timers(create(engine)).filter((t) => t.key.startsWith('idle:'))).toHaveLength(1);
  });

  it('enabled must be true or false', () => {
    const r = parsePolicy(BASE + RULE.replace('    on: risk.changed', '    enabled: "no"\n    on: risk.changed'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ path: 'rules[0].enabled', message: expect.stringContaining('expected true or false') });
  });

  it('states written before risk prediction (no riskScore) read as no score', () => {
    const engine = engineOf(BASE + RULE);
    const old = create(engine);
    delete old.riskScore;
    const r = apply(engine, old, scored(0.2), T0);
    expect(r.events[0]?.data.from).toBeNull();
  });
});

describe('condition risk.score', () => {
  const facts = (riskScore: number | null | undefined) => ({
    priority: 'normal' as const, status: 'open' as const, channel: 'email', category: null, tags: [], text: '', level: 'L1', team: 'frontline',
    organization: { id: 'o', tier: 'standard', contract_value: null }, sla: { metric: null, percent_elapsed: null },
    reassignments: 0, team_moves: 0, bounces: 0, reopens: 0, escalations: 0, risk: {}, sentiment: 0,
    ...(riskScore !== undefined && { riskScore }),
  });

  it('compares numerically; no score makes comparisons false and is seen as null', () => {
    const c = compileCondition({ field: 'risk.score', op: 'gte', value: 0.7 });
    expect(c.test(facts(0.7))).toBe(true);
    expect(c.test(facts(0.69))).toBe(false);
    expect(c.test(facts(null))).toBe(false);
    expect(c.test(facts(undefined))).toBe(false);
    expect(c.explain(facts(null))).toEqual({ matched: false, saw: [{ field: 'risk.score', op: 'gte', expected: 0.7, actual: null, matched: false }] });
    expect(compileCondition({ field: 'risk.score', op: 'lt', value: 0.3 }).test(facts(null))).toBe(false);
  });

  it('validates beside the triage flags, with clear messages', () => {
    const ok = parsePolicy(BASE + `
rules:
  - id: r
    on: risk.changed
    if: { all: [ { risk.score: { gte: 0.7, lt: 1 } }, { risk.churn: true } ] }
    do: [ { add_note: "x" } ]
`);
    expect(ok.ok).toBe(true);
    const bad = parsePolicy(BASE + `
rules:
  - id: r
    on: risk.changed
    if: { risk.score: { gte: high } }
    do: [ { add_note: "x" } ]
`);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]?.message).toBe('expected a number for risk.score, found the text "high"');
    const typo = parsePolicy(BASE + `
rules:
  - id: r
    on: risk.changed
    if: { risk.scor: { gte: 0.5 } }
    do: [ { add_note: "x" } ]
`);
    if (!typo.ok) expect(typo.problems[0]?.message).toContain('did you mean "risk.score"?');
    expect(typo.ok).toBe(false);
  });
});

describe('reference policy', () => {
  it('ships likely-to-breach, off', () => {
    const policy = policyOf(readFileSync(new URL('../../../policies/reference.policy.yaml', import.meta.url), 'utf8'));
    const rule = policy.rules.find((r) => r.id === 'likely-to-breach');
    expect(rule).toMatchObject({ enabled: false, on: [{ kind: 'event', event: 'risk.changed' }], if: { field: 'risk.score', op: 'gte', value: 0.7 } });
    expect(rule?.do[0]).toEqual({ kind: 'escalate', target: { kind: 'next_level' }, reason: 'sla_risk' });
  });
});

describe('enabled in plans and diffs', () => {
  it('switching a rule on or off is a change of that rule', async () => {
    const { diffPolicies } = await import('../../../src/domain/policy/policy-diff.ts');
    const on = policyOf(BASE + RULE);
    const off = policyOf(BASE + RULE.replace('    on: risk.changed', '    enabled: false\n    on: risk.changed'));
    expect(diffPolicies(off, on).rules).toEqual({ added: [], removed: [], changed: ['likely-to-breach'] });
    expect(diffPolicies(on, policyOf(BASE + RULE.replace('    on: risk.changed', '    enabled: true\n    on: risk.changed'))).rules.changed).toEqual([]);
  });
});
