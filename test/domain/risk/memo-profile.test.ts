import { describe, expect, it } from 'vitest';
import type { EngineEvent, EngineInput, TicketState } from '../../../src/domain/engine/types.ts';
import type { RiskMemo } from '../../../src/domain/risk/api.ts';
import { categoricalValues, FEATURE_NAMES, features, EncoderFitter } from '../../../src/domain/risk/features.ts';
import { foldRiskMemo, readMemo } from '../../../src/domain/risk/memo.ts';
import { ProfileTracker } from '../../../src/domain/risk/profile.ts';

const H = 3600_000;
const T0 = Date.parse('2026-02-02T09:00:00Z');

function ev(type: string, at: number, data: Record<string, unknown> = {}, actor = 'agent'): EngineEvent {
  return { at, ticket: 'T1', type, actor, internal: false, data };
}

function fold(steps: { at: number; input: EngineInput | null; events?: EngineEvent[] }[]): RiskMemo {
  let memo: RiskMemo | null = null;
  for (const s of steps) memo = foldRiskMemo(memo, { at: s.at, input: s.input, events: s.events ?? [] });
  return memo as RiskMemo;
}

const created: EngineInput = {
  type: 'ticket.created',
  ticket: { ref: 'T1', priority: 'normal', organization: { id: 'o', tier: 'standard' }, subject: 's', body: 'b', channel: 'email', group: 'Group 1' } as never,
};

describe('foldRiskMemo', () => {
  it('counts inputs (not timer firings), group changes, back-and-forth and the last replies', () => {
    const memo = readMemo(
      fold([
        { at: T0, input: created, events: [ev('ticket.created', T0, { sentiment: 0.5 }), ev('sla.applied', T0, { metric: 'resolution', due: new Date(T0 + 8 * H).toISOString() })] },
        { at: T0 + H, input: { type: 'comment.added', author: 'agent', public: true, body: 'hi' } },
        { at: T0 + 2 * H, input: { type: 'comment.added', author: 'customer', public: true, body: 'still broken' } },
        { at: T0 + 3 * H, input: null, events: [ev('sla.warning', T0 + 3 * H, { metric: 'resolution' }, 'system')] },
        { at: T0 + 4 * H, input: { type: 'ticket.assigned', assignee: 'a', group: 'Group 2' } as EngineInput },
        { at: T0 + 5 * H, input: { type: 'ticket.assigned', assignee: 'a', group: 'Group 2' } as EngineInput },
        { at: T0 + 6 * H, input: { type: 'ticket.assigned', assignee: 'b', group: 'Group 1' } as EngineInput },
        { at: T0 + 7 * H, input: { type: 'comment.added', author: 'agent', public: true, body: 'fixed?' } },
        { at: T0 + 9 * H, input: null, events: [ev('sla.breached', T0 + 9 * H, { metric: 'resolution' }, 'system')] },
        { at: T0 + 10 * H, input: { type: 'status.changed', status: 'solved' }, events: [ev('status.changed', T0 + 10 * H, { from: 'open', to: 'solved' })] },
        { at: T0 + 11 * H, input: { type: 'status.changed', status: 'open' }, events: [ev('status.changed', T0 + 11 * H, { from: 'solved', to: 'open' })] },
      ]),
    );
    expect(memo.lines).toBe(9);
    expect(memo.updates).toBe(8);
    expect(memo.groupChanges).toBe(2);
    expect(memo.group).toBe('Group 1');
    expect(memo.assignments).toBe(3);
    expect(memo.publicAgent).toBe(2);
    expect(memo.publicCustomer).toBe(1);
    expect(memo.backAndForth).toBe(2);
    expect(memo.lastStaffReplyAt).toBe(T0 + 7 * H);
    expect(memo.lastCustomerReplyAt).toBe(T0 + 2 * H);
    expect(memo.slaWarnings).toBe(1);
    expect(memo.slaBreaches).toBe(1);
    expect(memo.reopenings).toBe(1);
    expect(memo.solvedTimes).toBe(1);
    expect(memo.sentimentFirst).toBe(0.5);
    expect(memo.due.resolution).toBe(T0 + 8 * H);
    // Plain JSON: it survives a store round trip unchanged.
    expect(JSON.parse(JSON.stringify(memo))).toEqual(memo);
  });

  it('never changes the memo it is given', () => {
    const first = fold([{ at: T0, input: created }]);
    const copy = JSON.parse(JSON.stringify(first)) as RiskMemo;
    foldRiskMemo(first, { at: T0 + H, input: { type: 'ticket.assigned', assignee: 'x', group: 'Group 9' } as EngineInput, events: [ev('sla.applied', T0, { metric: 'resolution', due: new Date(T0).toISOString() })] });
    expect(first).toEqual(copy);
  });

  it('reads a missing or foreign memo as empty', () => {
    expect(readMemo(null).lines).toBe(0);
    expect(readMemo({ something: 'else' }).lines).toBe(0);
  });
});

function state(ref: string, requester: string, createdAt: number, status: TicketState['status'] = 'open', escalations = 0): TicketState {
  return { ref, requester, createdAt, status, escalations } as TicketState;
}

describe('ProfileTracker', () => {
  it('counts the requester’s other tickets known at the moment: open, 90 days, breaches, escalations', () => {
    const p = new ProfileTracker();
    const D = 24 * H;
    p.observe(state('A', 'ann', T0 - 200 * D, 'open'));
    p.observe(state('B', 'ann', T0 - 10 * D, 'solved'), [{ ...ev('sla.breached', T0 - 9 * D), ticket: 'B' }]);
    p.observe(state('C', 'ann', T0 - 5 * D, 'open', 1), [{ ...ev('ticket.escalated', T0 - 5 * D), ticket: 'C' }]);
    p.observe(state('D', 'ann', T0, 'new'));
    p.observe(state('E', 'bob', T0 - D, 'open'));
    expect(p.profile('ann', T0, 'D')).toEqual({ openTickets: 2, tickets90d: 2, breaches90d: 1, escalations90d: 1 });
    // Seen from an earlier moment: C was not opened yet, B's breach not yet known.
    expect(p.profile('ann', T0 - 9.5 * D, 'D')).toEqual({ openTickets: 1, tickets90d: 1, breaches90d: 0, escalations90d: 0 });
    expect(p.profile('nobody', T0, 'X')).toEqual({ openTickets: 0, tickets90d: 0, breaches90d: 0, escalations90d: 0 });
    expect(p.profile(null, T0, 'X').tickets90d).toBe(0);
  });
});

describe('features', () => {
  it('gives one number per feature name and words for each', () => {
    const memo = fold([{ at: T0, input: created }]);
    const s = {
      ref: 'T1',
      createdAt: T0,
      subject: 'Printer',
      body: '',
      priority: 'high',
      status: 'new',
      channel: 'email',
      category: 'hardware',
      tags: ['impact:1', 'subcategory:printers', 'vip'],
      organization: { id: 'o', tier: 'gold', contract_value: 1000 },
      requester: 'ann',
      assignee: null,
      owner: null,
      team: 'frontline',
      level: 'L1',
      reassignments: 3,
      teamMoves: 0,
      bounces: 0,
      teamsLeft: [],
      reopens: 0,
      escalations: 0,
      risk: { legal: false, churn: true, billing: false, security: false, frustration: false },
      riskSignals: {},
      sentiment: -0.5,
      agentReplied: false,
      slaPolicy: null,
      policyVersion: 1,
      clocks: {},
      quietSince: T0,
      idleFired: [],
      pendingAck: null,
      escalationSeq: 0,
    } as TicketState;
    const subject = { at: T0 + 2 * H, state: s, memo, profile: { openTickets: 1, tickets90d: 2, breaches90d: 1, escalations90d: 0 } };
    const cats = categoricalValues(subject);
    expect(cats.subcategory).toEqual(['printers']);
    expect(cats.tag).toEqual(['vip']);
    expect(cats.group).toEqual(['Group 1']);
    const fitter = new EncoderFitter();
    fitter.add(cats, true, 1);
    const row = features(subject, fitter.fit(10));
    expect(row.values).toHaveLength(FEATURE_NAMES.length);
    expect(row.values.every(Number.isFinite)).toBe(true);
    const words = row.values.map((_, i) => row.describe(i));
    expect(words).toContain('reassigned 3 times');
    expect(words).toContain('impact 1');
    expect(words).toContain('open for 2 h');
    expect(words).toContain('risk words: churn');
    expect(words).toContain("requester's breaches in the last 90 days: 1");
    expect(words.some((w) => w.startsWith('assignment group Group 1 (past tickets missing the target'))).toBe(true);
  });
});
