/** Drills (pure): what the policy does with a scenario, and the scoring of decisions (docs/drills.md). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildScenario, MAX_POINTS, scoreDecision, scrubText, totals, type ExpectedOutcome } from '../../src/domain/drills.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { buildQuickReference, checklistsOf } from '../../src/domain/quick-reference.ts';
import type { Policy } from '../../src/domain/policy/types.ts';
import { parseWorkloadLine, type WorkloadLine } from '../../src/domain/workload.ts';

const parsed = parsePolicy(readFileSync(new URL('../../policies/reference.policy.yaml', import.meta.url), 'utf8'));
if (!parsed.ok) throw new Error('reference policy does not parse');
const policy = parsed.policy;
const workload = (text: string): WorkloadLine[] =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const p = parseWorkloadLine(l, i + 1);
      if (!p.ok) throw new Error(p.message);
      return p.value;
    });
const three = workload(readFileSync(new URL('../../examples/drills/three-tickets.jsonl', import.meta.url), 'utf8'));

describe('buildScenario', () => {
  const s = buildScenario(policy, three);
  it('takes the first escalation per ticket from the simulation, with its rule and timing', () => {
    expect(s.tickets.map((t) => t.ref)).toEqual(['D1', 'D2', 'D3']);
    expect(s.tickets[0]?.expected).toMatchObject({ escalate: true, team: 'legal', level: 'L2', reason: 'legal_compliance', rule: 'legal-risk', trigger: 'ticket.created', offsetMs: 0, timing: 'now' });
    expect(s.tickets[1]?.expected).toMatchObject({ escalate: false, team: null, timing: null });
    // D3: the 8 h resolution target of an enterprise high ticket (24x7) is missed; breach-goes-up moves it one level.
    expect(s.tickets[2]?.expected).toMatchObject({ escalate: true, team: 'specialists', level: 'L2', reason: 'sla_risk', rule: 'breach-goes-up', trigger: 'sla.breached', offsetMs: 8 * 3600_000, timing: 'wait' });
    expect(s.tickets[2]?.expected.explanation).toContain('resolution target was missed');
  });
  it('keeps each ticket’s timeline relative to its creation', () => {
    expect(s.tickets[1]?.timeline.map((e) => [e.offsetMs / 60_000, e.type])).toEqual([
      [0, 'ticket.created'],
      [30, 'comment.added'],
      [60, 'status.changed'],
    ]);
  });
  it('leaves out what people decide (escalations, acknowledgements) and says so', () => {
    const lines = workload(
      [
        '{"at":"2026-12-01T10:00:00Z","type":"ticket.created","ticket":"A","priority":"normal","organization":{"id":"o","tier":"standard"},"subject":"s","body":"b","channel":"email"}',
        '{"at":"2026-12-01T10:01:00Z","type":"ticket.escalated","ticket":"A","to_level":"L2","reason":"other"}',
      ].join('\n'),
    );
    const out = buildScenario(policy, lines);
    expect(out.skipped).toEqual([{ line: 2, why: 'ticket.escalated: decided by the trainee, not replayed' }]);
    expect(out.tickets[0]?.timeline).toHaveLength(1);
  });
});

describe('scoreDecision', () => {
  const up: ExpectedOutcome = { escalate: true, team: 'specialists', level: 'L2', reason: 'sla_risk', rule: 'breach-goes-up', trigger: 'sla.breached', offsetMs: 1, timing: 'wait', explanation: '' };
  const none: ExpectedOutcome = { escalate: false, team: null, level: null, reason: null, rule: null, trigger: null, offsetMs: null, timing: null, explanation: '' };
  it('gives all points to the policy’s own decision', () => {
    expect(scoreDecision(up, { escalate: true, team: 'specialists', reason: 'sla_risk', timing: 'wait' }).points).toBe(MAX_POINTS);
    expect(scoreDecision(none, { escalate: false }).points).toBe(MAX_POINTS);
  });
  it('a level is enough for the target when no team is named', () => {
    const s = scoreDecision(up, { escalate: true, level: 'L2', reason: 'other', timing: 'now' });
    expect(s.checks.map((c) => [c.item, c.ok])).toEqual([
      ['escalate', true],
      ['target', true],
      ['reason', false],
      ['timing', false],
    ]);
    expect(s.points).toBe(3);
    expect(scoreDecision(up, { escalate: true, team: 'billing', level: 'L2', reason: 'sla_risk', timing: 'wait' }).points).toBe(4);
  });
  it('disagreeing on escalate-or-not scores nothing', () => {
    expect(scoreDecision(up, { escalate: false }).points).toBe(0);
    expect(scoreDecision(none, { escalate: true, team: 'legal', reason: 'other', timing: 'now' }).points).toBe(0);
  });
  it('totals add decisions up', () => {
    expect(totals([scoreDecision(up, { escalate: false }), scoreDecision(none, { escalate: false })])).toEqual({ decided: 2, points: 5, max: 10, agreed: 1 });
  });
});

describe('scrubText', () => {
  it('replaces addresses, phone numbers and names', () => {
    expect(scrubText('Ana Lopez (ana.lopez@acme.example) called from +1 (555) 010-2030 for Initech', ['Ana Lopez', 'Initech'])).toBe('[name] (someone@example.invalid) called from [phone] for [name]');
  });
});

describe('buildQuickReference', () => {
  it('describes rules in words and lists the playbooks checklists', () => {
    const qr = buildQuickReference(policy, 3, Date.parse('2026-12-01T12:00:00Z'));
    expect(qr.rules.find((r) => r.id === 'breach-goes-up')).toMatchObject({ when: 'sla.breached', condition: 'sla.metric is resolution', escalates_to: 'the next level up', requires_acknowledgement: true });
    expect(qr.rules.find((r) => r.id === 'unacknowledged-goes-up')?.when).toBe('escalation unacknowledged for 30m');
    expect(qr.customer_requests).toMatchObject({ to: 'the next level up' });
    const withLists = { ...policy, playbooks: { macros: [], checklists: [{ reason: 'legal_compliance', title: 'Legal hold', items: [{ id: 'keep', text: 'Do not delete data', required: true }, { id: 'tell', text: 'Tell legal', required: false }] }] } } as Policy;
    expect(checklistsOf(withLists)).toEqual([{ id: 'legal_compliance', title: 'Legal hold', items: [{ text: 'Do not delete data', required: true }, { text: 'Tell legal', required: false }] }]);
    expect(buildQuickReference(withLists, 3, 0).checklists).toHaveLength(1);
    expect(buildQuickReference(null, null, 0).levels).toEqual([]);
  });
});
