import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATE_NAMES } from '../../src/domain/policy/builtin-templates.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import type { Policy } from '../../src/domain/policy/types.ts';

const REFERENCE = new URL('../../examples/escalon.policy.yaml', import.meta.url);
const source = readFileSync(REFERENCE, 'utf8');

function parseOk(text: string, format?: 'yaml' | 'json'): Policy {
  const r = parsePolicy(text, format ? { format } : {});
  if (!r.ok) throw new Error(`expected no problems, got:\n${r.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`).join('\n')}`);
  return r.policy;
}

const policy = parseOk(source);
const rule = (id: string) => {
  const r = policy.rules.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
};

describe('the reference policy', () => {
  it('parses with zero problems and counts what it defines', () => {
    expect(policy.formatVersion).toBe(1);
    expect(policy.levels.map((l) => [l.id, l.rank])).toEqual([
      ['L1', 0], ['L2', 1], ['L3', 2], ['management', 3], ['executive', 4],
    ]);
    expect(policy.teams.map((t) => t.id)).toEqual(['frontline', 'specialists', 'engineering', 'billing', 'legal', 'support-management', 'executive']);
    expect(policy.sla.map((s) => s.id)).toEqual(['enterprise', 'standard']);
    expect(policy.rules).toHaveLength(8);
  });

  it('keeps lunch breaks as two intervals and expands day ranges', () => {
    const us = policy.calendars['us-business'];
    expect(us?.timezone).toBe('America/New_York');
    expect(us?.week[0]).toEqual([{ start: 540, end: 720 }, { start: 780, end: 1020 }]);
    expect(us?.week[5]).toEqual([]);
    expect(us?.holidays).toEqual(['2026-11-26', '2026-12-25', '2027-01-01']);
    const emea = policy.calendars['emea-business'];
    expect(emea?.week.slice(0, 5)).toEqual(Array(5).fill([{ start: 480, end: 1080 }]));
    expect(emea?.week.slice(5)).toEqual([[], []]);
    expect(policy.calendars['always']).toMatchObject({ alwaysOpen: true, week: [], timezone: 'UTC' });
  });

  it('reads teams: kind defaults to hierarchical, functional skills, on-call rotation', () => {
    const byId = Object.fromEntries(policy.teams.map((t) => [t.id, t]));
    expect(byId['frontline']).toMatchObject({ kind: 'hierarchical', level: 'L1', calendar: 'us-business', lead: 'lina@example.com' });
    expect(byId['billing']).toMatchObject({ kind: 'functional', level: 'L2', skills: ['billing', 'refunds', 'invoices'] });
    expect(byId['engineering']?.onCall).toEqual({
      rotation: ['eli@example.com', 'eva@example.com'],
      handover: { weekday: 0, minute: 540 },
      start: '2026-01-05',
    });
    expect(byId['support-management']?.lead).toBeUndefined();
  });

  it('normalises SLA targets to ms and thresholds to both forms', () => {
    const [enterprise, standard] = policy.sla;
    expect(enterprise?.when).toEqual({ field: 'organization.tier', op: 'eq', value: 'enterprise' });
    expect(enterprise?.targets.urgent?.first_response).toBe(900_000);
    expect(enterprise?.targets.urgent?.resolution).toBe(4 * 3_600_000);
    expect(enterprise?.targets.low).toEqual({ first_response: 4 * 3_600_000, resolution: 48 * 3_600_000 });
    expect(enterprise?.warnAt).toEqual([
      { kind: 'percent', fraction: 0.75, label: '75%' },
      { kind: 'before', ms: 600_000, label: '10m' },
    ]);
    expect(enterprise?.pauseOn).toEqual(['pending', 'on_hold']);
    expect(standard?.when).toBeUndefined();
    expect(standard?.calendar).toBe('us-business');
  });

  it('reads rules: triggers, conditions, actions and require_acknowledgement', () => {
    const breach = rule('breach-goes-up');
    expect(breach.requireAck).toBe(true);
    expect(breach.on).toEqual([{ kind: 'event', event: 'sla.breached' }]);
    expect(breach.do[0]).toEqual({ kind: 'escalate', target: { kind: 'next_level' }, reason: 'sla_risk' });
    expect(breach.do[2]).toEqual({
      kind: 'notify',
      to: [{ kind: 'role', role: 'assignee' }, { kind: 'role', role: 'team_lead' }],
      template: 'sla-breach-internal',
    });
    expect(breach.do[3]).toEqual({ kind: 'notify', to: [{ kind: 'role', role: 'requester' }], template: 'escalated-customer-update' });

    expect(rule('unacknowledged-goes-up').on).toEqual([{ kind: 'unacknowledged', ms: 1_800_000 }]);
    expect(rule('unacknowledged-goes-up').requireAck).toBe(false);
    expect(rule('idle-urgent').on).toEqual([{ kind: 'idle', ms: 7_200_000 }]);

    const legal = rule('legal-risk');
    expect(legal.on.map((t) => (t.kind === 'event' ? t.event : t.kind))).toEqual(['ticket.created', 'comment.added']);
    expect(legal.if).toEqual({
      any: [
        { field: 'text', op: 'matches', value: { source: '\\b(lawyer|attorney|lawsuit|subpoena|legal action|gdpr)\\b', flags: 'i' } },
        { field: 'tags', op: 'includes', value: 'legal' },
      ],
    });
    expect(legal.do[0]).toEqual({ kind: 'escalate', target: { kind: 'team', team: 'legal' }, reason: 'legal_compliance' });
    expect(legal.do[1]).toEqual({ kind: 'set', priority: 'high' });

    expect(rule('cancellation-risk-high-value').do[0]).toEqual({
      kind: 'escalate', target: { kind: 'level', level: 'management' }, reason: 'financial_high_value',
    });
    expect(rule('ping-pong').if).toEqual({ field: 'reassignments', op: 'gt', value: 3 });
    expect(rule('ping-pong').do).toEqual([
      { kind: 'assign', to: { kind: 'team_lead' } },
      { kind: 'add_note', body: 'Reassigned more than 3 times; the team lead now owns this ticket.' },
    ]);
    expect(rule('idle-urgent').if).toEqual({
      all: [{ field: 'priority', op: 'eq', value: 'urgent' }, { field: 'status', op: 'in', value: ['new', 'open'] }],
    });
  });

  it('lists the templates it relies on, all in the built-in registry', () => {
    expect(policy.templates).toEqual([
      'sla-breach-internal', 'escalated-customer-update', 'compliance-legal-escalation',
      'high-value-escalation', 'technical-complexity-escalation', 'idle-reminder',
    ]);
    for (const t of policy.templates) expect(BUILTIN_TEMPLATE_NAMES).toContain(t);
  });

  it('accepts the same document as JSON, with the same meaning', () => {
    const json = JSON.stringify(parseYaml(source), null, 2);
    expect(parseOk(json, 'json')).toEqual(policy);
    expect(parseOk(json)).toEqual(policy);
  });

  it('refuses a template the registry does not have', () => {
    const r = parsePolicy(source, { templates: BUILTIN_TEMPLATE_NAMES.filter((t) => t !== 'idle-reminder') });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual(['rules[6].do[0].notify.template', 'templates[5]']); // in document order
  });
});
