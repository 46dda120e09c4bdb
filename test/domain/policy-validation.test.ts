import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import type { Policy } from '../../src/domain/policy/types.ts';

/** A small valid policy as plain data; each case changes one thing in a fresh copy. */
function base(): Record<string, unknown> {
  return {
    version: 1,
    calendars: {
      office: { timezone: 'Europe/Paris', hours: { 'mon-fri': ['09:00-17:00'] } },
      always: { timezone: 'UTC', hours: '24x7' },
    },
    levels: [{ id: 'L1', name: 'Front' }, { id: 'L2' }],
    teams: {
      front: { level: 'L1', calendar: 'office', members: ['a@x.io'], lead: 'lead@x.io', manager: 'boss@x.io' },
      back: { level: 'L2', members: ['b@x.io'] },
      money: { kind: 'functional', level: 'L2', members: ['m@x.io'], skills: ['billing'] },
    },
    sla: [{ id: 's', calendar: 'office', targets: { urgent: { first_response: '1h' } } }],
    rules: [{ id: 'r', on: 'ticket.created', do: [{ add_note: 'hello' }] }],
  };
}

type Doc = Record<string, unknown>;

/** Walks a dotted path (numbers index lists) to the container of its last part. */
function parent(d: Doc, path: string): [Record<string, unknown> | unknown[], string] {
  const parts = path.split('.');
  const last = parts.pop() as string;
  let node: unknown = d;
  for (const part of parts) node = (node as Record<string, unknown>)[part];
  return [node as Record<string, unknown>, last];
}
function set(d: Doc, path: string, value: unknown): void {
  const [node, key] = parent(d, path);
  (node as Record<string, unknown>)[key] = value;
}
function del(d: Doc, path: string): void {
  const [node, key] = parent(d, path);
  delete (node as Record<string, unknown>)[key];
}
function push(d: Doc, path: string, value: unknown): void {
  const [node, key] = parent(d, path);
  ((node as Record<string, unknown>)[key] as unknown[]).push(value);
}

function accepted(change: (d: Doc) => void): Policy {
  const d = base();
  change(d);
  const r = parsePolicy(stringify(d));
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.policy;
}

function refused(change: (d: Doc) => void): string[] {
  const d = base();
  change(d);
  const r = parsePolicy(stringify(d));
  if (r.ok) throw new Error('the policy was accepted');
  for (const p of r.problems) expect(p.line, `${p.path} has a line`).toBeGreaterThan(0);
  return r.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('policy validation, one mistake at a time', () => {
  it('accepts the base policy and applies defaults', () => {
    const p = accepted(() => {});
    expect(p.teams.find((t) => t.id === 'back')).toEqual({ id: 'back', kind: 'hierarchical', level: 'L2', members: ['b@x.io'], skills: [] });
    expect(p.sla[0]?.pauseOn).toEqual(['pending', 'on_hold']);
    expect(p.sla[0]?.warnAt).toEqual([]);
    expect(p.levels[1]).toEqual({ id: 'L2', name: 'L2', rank: 1 });
    expect(p.rules[0]).toEqual({ id: 'r', on: [{ kind: 'event', event: 'ticket.created' }], do: [{ kind: 'add_note', body: 'hello' }], requireAck: false });
  });

  const refusals: Array<[string, (d: Doc) => void, RegExp]> = [
    ['missing version', (d) => del(d, 'version'), /^version: missing required field/],
    ['unsupported version', (d) => set(d, 'version', 2), /^version: unsupported policy format version/],
    ['no levels', (d) => del(d, 'levels'), /^levels: missing required field/],
    ['level without a hierarchical team', (d) => push(d, 'levels', { id: 'L3' }), /^levels\[2\]: level "L3" has no hierarchical team/],
    ['team at an unknown level', (d) => set(d, 'teams.back.level', 'L5'), /^teams.back.level: unknown level "L5"/],
    ['team with a bad lead', (d) => set(d, 'teams.front.lead', 'lina'), /^teams.front.lead: "lina" is not an email address/],
    ['on_call on a team without calendar', (d) => set(d, 'teams.back.on_call', { rotation: ['b@x.io'], handover: 'mon 09:00', start: '2026-01-05' }), /^teams.back.on_call: an on_call rotation needs the team to have a calendar/],
    ['empty rotation', (d) => set(d, 'teams.front.on_call', { rotation: [], handover: 'fri 17:30', start: '2026-01-05' }), /^teams.front.on_call.rotation: the rotation is empty/],
    ['on_call missing start', (d) => set(d, 'teams.front.on_call', { rotation: ['a@x.io'], handover: 'fri 17:30' }), /^teams.front.on_call.start: missing required field/],
    ['calendar without hours', (d) => del(d, 'calendars.office.hours'), /^calendars.office.hours: missing required field/],
    ['calendar with no business hours', (d) => set(d, 'calendars.office.hours', { mon: [] }), /^calendars.office.hours: the calendar has no business hours/],
    ['hours neither map nor 24x7', (d) => set(d, 'calendars.office.hours', '24/7'), /^calendars.office.hours: expected 24x7 or a map/],
    ['bad interval minutes', (d) => set(d, 'calendars.office.hours', { mon: ['09:60-10:00'] }), /^calendars.office.hours.mon\[0\]: "09:60-10:00" is not an interval/],
    ['a day given by two ranges', (d) => set(d, 'calendars.office.hours', { 'mon-fri': ['09:00-17:00'], 'fri-sun': ['10:00-12:00'] }), /^calendars.office.hours.fri-sun: a day is given twice: fri/],
    ['sla calendar unknown', (d) => set(d, 'sla.0.calendar', 'nope'), /^sla\[0\].calendar: unknown calendar "nope"/],
    ['sla without targets', (d) => del(d, 'sla.0.targets'), /^sla\[0\].targets: missing required field/],
    ['zero target', (d) => set(d, 'sla.0.targets.urgent.first_response', '0m'), /^sla\[0\].targets.urgent.first_response: "0m" is not a duration/],
    ['numeric target', (d) => set(d, 'sla.0.targets.urgent.first_response', 60), /^sla\[0\].targets.urgent.first_response: the number 60 is not a duration/],
    ['sla when with a wrong value', (d) => set(d, 'sla.0.when', { priority: 'critical' }), /^sla\[0\].when.priority: unknown priority "critical"/],
    ['sla when with an unknown level', (d) => set(d, 'sla.0.when', { level: 'L7' }), /^sla\[0\].when.level: unknown level "L7"/],
    ['includes on text', (d) => set(d, 'rules.0.if', { text: { includes: 'x' } }), /^rules\[0\].if.text.includes: operator "includes" does not apply to text .*use matches/],
    ['a backreference', (d) => set(d, 'rules.0.if', { text: { matches: '(a)\\1' } }), /^rules\[0\].if.text.matches: "\\1" \(a backreference\) is not supported .*linear-time engine/],
    ['a lookahead', (d) => set(d, 'rules.0.if', { text: { matches: 'in(?=voice)' } }), /^rules\[0\].if.text.matches: "\(\?=…\)" \(lookahead\) is not supported/],
    ['a lookbehind', (d) => set(d, 'rules.0.if', { text: { matches: '(?<!no )refund' } }), /^rules\[0\].if.text.matches: "\(\?<!…\)" \(lookbehind\) is not supported/],
    ['an escape RE2 reads differently', (d) => set(d, 'rules.0.if', { text: { matches: 'end\\z' } }), /^rules\[0\].if.text.matches: "\\z" is not an escape/],
    ['a regex too large for the budget', (d) => set(d, 'rules.0.if', { text: { matches: 'a{1000}b{1000}c' } }), /^rules\[0\].if.text.matches: regular expression too large/],
    ['gt on a string field', (d) => set(d, 'rules.0.if', { channel: { gt: 3 } }), /^rules\[0\].if.channel.gt: operator "gt" does not apply/],
    ['a list as an equals value', (d) => set(d, 'rules.0.if', { priority: ['high', 'urgent'] }), /^rules\[0\].if.priority: a list is not a value .*\{ in: \[...\] \}/],
    ['empty any', (d) => set(d, 'rules.0.if', { any: [] }), /^rules\[0\].if.any: "any" takes a non-empty list/],
    ['not of a non-condition', (d) => set(d, 'rules.0.if', { not: 'priority' }), /^rules\[0\].if.not: expected a condition/],
    ['unknown risk flag', (d) => set(d, 'rules.0.if', { 'risk.weather': true }), /^rules\[0\].if.risk.weather: unknown condition field/],
    ['risk flag compared with text', (d) => set(d, 'rules.0.if', { 'risk.legal': 'yes' }), /^rules\[0\].if.risk.legal: risk.legal is true or false/],
    ['null on a field that always has a value', (d) => set(d, 'rules.0.if', { priority: null }), /^rules\[0\].if.priority: priority always has a value/],
    ['duplicate rule id', (d) => push(d, 'rules', { id: 'r', on: 'ticket.updated', do: [{ add_note: 'x' }] }), /^rules\[1\].id: duplicate rule id "r"/],
    ['missing on', (d) => del(d, 'rules.0.on'), /^rules\[0\].on: missing required field/],
    ['unknown timed trigger', (d) => set(d, 'rules.0.on', { quiet: '2h' }), /^rules\[0\].on.quiet: unknown timed trigger/],
    ['trigger listed twice', (d) => set(d, 'rules.0.on', ['ticket.created', 'ticket.created']), /^rules\[0\].on: trigger ticket.created is listed twice/],
    ['empty do', (d) => set(d, 'rules.0.do', []), /^rules\[0\].do: a rule needs at least one action/],
    ['two actions in one item', (d) => set(d, 'rules.0.do', [{ add_note: 'a', assign: 'team_lead' }]), /^rules\[0\].do\[0\]: an action is a map with one key/],
    ['escalate without reason', (d) => set(d, 'rules.0.do', [{ escalate: { to: 'next_level' } }]), /^rules\[0\].do\[0\].escalate.reason: missing required field/],
    ['escalate to a string other than next_level', (d) => set(d, 'rules.0.do', [{ escalate: { to: 'L2', reason: 'other' } }]), /^rules\[0\].do\[0\].escalate.to: expected next_level, \{ level: ID \}/],
    ['escalate to an unknown level', (d) => set(d, 'rules.0.do', [{ escalate: { to: { level: 'L3' }, reason: 'other' } }]), /^rules\[0\].do\[0\].escalate.to.level: unknown level "L3"/],
    ['assign to a word', (d) => set(d, 'rules.0.do', [{ assign: 'teamlead' }]), /^rules\[0\].do\[0\].assign: cannot assign to "teamlead"; did you mean "team_lead"/],
    ['notify without template', (d) => set(d, 'rules.0.do', [{ notify: { to: 'owner' } }]), /^rules\[0\].do\[0\].notify.template: missing required field/],
    ['webhook with extra keys', (d) => set(d, 'rules.0.do', [{ notify: { to: [{ webhook: 'https://h.io/x', secret: 's' }], template: 'idle-reminder' } }]), /^rules\[0\].do\[0\].notify.to\[0\].secret: unknown field/],
    ['require_acknowledgement without escalate', (d) => push(d, 'rules.0.do', { require_acknowledgement: true }), /^rules\[0\].do: require_acknowledgement: true has no effect/],
    ['set with nothing', (d) => set(d, 'rules.0.do', [{ set: {} }]), /^rules\[0\].do\[0\].set: set needs at least one of/],
    ['empty note', (d) => set(d, 'rules.0.do', [{ add_note: '' }]), /^rules\[0\].do\[0\].add_note: expected the note text, found an empty text/],
    ['templates not a list', (d) => set(d, 'templates', 'idle-reminder'), /^templates: expected a list of template names/],
  ];

  it.each(refusals)('refuses %s', (_name, change, expected) => {
    const found = refused(change);
    expect(found.some((m) => expected.test(m)), found.join('\n')).toBe(true);
  });

  it('accepts the richer forms and normalises them', () => {
    const p = accepted((d) => {
      set(d, 'calendars.office.hours', { 'fri-mon': ['00:00-06:00', '18:00-24:00'], wed: [] });
      set(d, 'calendars.office.holidays', ['2026-12-25', '2026-12-24', '2026-12-25']);
      set(d, 'teams.front.on_call', { rotation: ['a@x.io', 'lead@x.io'], handover: 'fri 17:30', start: '2026-01-05' });
      set(d, 'sla.0.warn_at', '50%');
      set(d, 'sla.0.pause_on', ['on_hold']);
      set(d, 'sla.0.when', { priority: 'urgent', 'sla.percent_elapsed': { gte: '80%' } });
      set(d, 'rules.0.on', [{ idle: '1h30m' }, 'comment.added', { unacknowledged: '1d' }]);
      set(d, 'rules.0.if', { 'risk.legal': true, reassignments: { gt: 1, lte: 5 }, not: { tags: { in: [2024, 'vip'] } } });
      set(d, 'rules.0.do', [
        { escalate: { to: { skill: 'billing' }, reason: 'financial_high_value' } },
        { require_acknowledgement: true },
        { assign: 'a@x.io' },
        { assign: 'least_loaded' },
        { notify: { to: ['on_call', 'ops@x.io', { webhook: 'https://hooks.example.com/escalon' }], template: 'unacknowledged-reminder' } },
        { set: { priority: 'urgent', status: 'on_hold', tags: ['legal', 'vip'] } },
      ]);
    });
    const cal = p.calendars['office'];
    expect(cal?.week).toEqual([
      [{ start: 0, end: 360 }, { start: 1080, end: 1440 }], [], [], [],
      [{ start: 0, end: 360 }, { start: 1080, end: 1440 }],
      [{ start: 0, end: 360 }, { start: 1080, end: 1440 }],
      [{ start: 0, end: 360 }, { start: 1080, end: 1440 }],
    ]);
    expect(cal?.holidays).toEqual(['2026-12-24', '2026-12-25']);
    expect(p.teams[0]?.onCall?.handover).toEqual({ weekday: 4, minute: 1050 });
    expect(p.sla[0]?.warnAt).toEqual([{ kind: 'percent', fraction: 0.5, label: '50%' }]);
    expect(p.sla[0]?.pauseOn).toEqual(['on_hold']);
    expect(p.sla[0]?.when).toEqual({
      all: [{ field: 'priority', op: 'eq', value: 'urgent' }, { field: 'sla.percent_elapsed', op: 'gte', value: 80 }],
    });
    const rule = p.rules[0];
    expect(rule?.on).toEqual([{ kind: 'idle', ms: 5_400_000 }, { kind: 'event', event: 'comment.added' }, { kind: 'unacknowledged', ms: 86_400_000 }]);
    expect(rule?.if).toEqual({
      all: [
        { field: 'risk.legal', op: 'eq', value: true },
        { all: [{ field: 'reassignments', op: 'gt', value: 1 }, { field: 'reassignments', op: 'lte', value: 5 }] },
        { not: { field: 'tags', op: 'in', value: ['2024', 'vip'] } },
      ],
    });
    expect(rule?.requireAck).toBe(true);
    expect(rule?.do).toEqual([
      { kind: 'escalate', target: { kind: 'skill', skill: 'billing' }, reason: 'financial_high_value' },
      { kind: 'require_acknowledgement', value: true },
      { kind: 'assign', to: { kind: 'agent', email: 'a@x.io' } },
      { kind: 'assign', to: { kind: 'least_loaded' } },
      {
        kind: 'notify',
        to: [{ kind: 'role', role: 'on_call' }, { kind: 'address', address: 'ops@x.io' }, { kind: 'webhook', url: 'https://hooks.example.com/escalon' }],
        template: 'unacknowledged-reminder',
      },
      { kind: 'set', priority: 'urgent', status: 'on_hold', tags: ['legal', 'vip'] },
    ]);
    expect(p.templates).toEqual(['unacknowledged-reminder']);
  });
});

describe('documents that are not policies', () => {
  it('reports YAML syntax errors with their line', () => {
    const r = parsePolicy('version: 1\nlevels:\n  - { id: L1\nteams: {}\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ path: '(document)', message: expect.stringMatching(/^YAML syntax: /) });
  });

  it('reports a duplicate key with its line', () => {
    const r = parsePolicy('version: 1\nlevels: []\nlevels: []\n');
    expect(r.ok ? [] : r.problems.map((p) => [p.line, p.message])).toEqual([[3, expect.stringMatching(/Map keys must be unique/)]]);
  });

  it('reports JSON syntax errors with their line when the format is json', () => {
    const r = parsePolicy('{\n  "version": 1,\n  "levels": [,]\n}', { format: 'json' });
    expect(r.ok ? [] : r.problems.map((p) => [p.line, p.message.startsWith('JSON syntax')])).toEqual([[3, true]]);
  });

  it('refuses an empty document and a document that is not a map', () => {
    expect(parsePolicy('')).toMatchObject({ ok: false, problems: [{ message: 'the policy document is empty' }] });
    expect(parsePolicy('- a\n- b\n')).toMatchObject({ ok: false, problems: [{ path: '(document)', message: expect.stringMatching(/found a list/) }] });
  });
});
