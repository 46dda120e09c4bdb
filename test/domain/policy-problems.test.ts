import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import type { PolicyProblem } from '../../src/domain/policy/types.ts';

// A policy with a mistake on nearly every line: all of them must come back at once, each with
// its path and line (the numbers in the comments of the expectations are this text's lines).
const BROKEN = `version: 1
colour: blue
calendars:
  office:
    timezone: Mars/Olympus
    hours:
      mon: ["09:00-12:00", "11:00-17:00"]
      tue: ["9am-5pm"]
      mon-wed: ["08:00-09:00"]
      funday: ["10:00-11:00"]
      thu: ["17:00-09:00"]
    holidays: ["2026-02-30", "25/12/2026"]
  open:
    timezone: UTC
    hours: 24x7
    holiday: []
levels:
  - { id: L1, name: Frontline }
  - { id: L2, name: Specialists }
  - { id: L1, name: Again }
  - { id: L9 }
teams:
  front:
    level: L1
    calendar: office
    members: [ana@example.com, not-an-email]
    lead: lina@example.com
  specialists:
    kind: functionall
    level: L7
    calendar: nowhere
    skills: [billing]
  oncall:
    level: L2
    calendar: open
    on_call:
      rotation: [eli@example.com]
      handover: monday 9
      start: 2026-13-01
sla:
  - id: gold
    when: { organization.tier: gold, priorty: high }
    calendar: missing-cal
    pause_on: [pending, waiting]
    warn_at: ["120%", "soon"]
    targets:
      urgent: { first_response: 15 minutes, resolve: 4h }
      critical: { first_response: 1h }
  - id: gold
    calendar: open
    targets: {}
rules:
  - id: r1
    on: sla.breachd
    if: { all: [ { sla.metric: resolution }, { text: { matches: "(?i)ok(?s)x" } } ] }
    do:
      - escalate: { to: { team: legal }, reason: because }
      - notify: { to: [assignee, boss, { webhook: "ftp://x" }], template: no-such-template }
  - id: r2
    on: [{ idle: 2 hours }, ticket.created]
    if: { any: [ { tags: { contains: vip } }, { text: { matches: "a(b" } }, { reassignments: { gt: lots } } ] }
    do:
      - escalate: { to: { skill: astrology }, reason: other }
      - assign: stranger@example.com
      - set: { status: new, colour: red }
      - require_acknowledgement: yes please
      - frobnicate: true
templates: [idle-reminder, not-a-template]
`;

function problems(text: string, opts: Parameters<typeof parsePolicy>[1] = {}): PolicyProblem[] {
  const r = parsePolicy(text, opts);
  if (r.ok) throw new Error('expected problems, the policy was accepted');
  return r.problems;
}

describe('a broken policy', () => {
  const found = problems(BROKEN);

  it('reports every problem at once, in document order, with path and line', () => {
    expect(found.map((p) => [p.line, p.path])).toEqual([
      [2, 'colour'],
      [5, 'calendars.office.timezone'],
      [7, 'calendars.office.hours.mon'],
      [8, 'calendars.office.hours.tue[0]'],
      [9, 'calendars.office.hours.mon-wed'],
      [10, 'calendars.office.hours.funday'],
      [11, 'calendars.office.hours.thu[0]'],
      [12, 'calendars.office.holidays[0]'],
      [12, 'calendars.office.holidays[1]'],
      [16, 'calendars.open.holiday'],
      [20, 'levels[2].id'],
      [21, 'levels[3]'],
      [26, 'teams.front.members[1]'],
      [29, 'teams.specialists.kind'],
      [30, 'teams.specialists.level'],
      [31, 'teams.specialists.calendar'],
      [38, 'teams.oncall.on_call.handover'],
      [39, 'teams.oncall.on_call.start'],
      [42, 'sla[0].when.priorty'],
      [43, 'sla[0].calendar'],
      [44, 'sla[0].pause_on[1]'],
      [45, 'sla[0].warn_at[0]'],
      [45, 'sla[0].warn_at[1]'],
      [47, 'sla[0].targets.urgent.first_response'],
      [47, 'sla[0].targets.urgent.resolve'],
      [48, 'sla[0].targets.critical'],
      [49, 'sla[1].id'],
      [51, 'sla[1].targets'],
      [54, 'rules[0].on'],
      [55, 'rules[0].if.all[1].text.matches'],
      [57, 'rules[0].do[0].escalate.to.team'],
      [57, 'rules[0].do[0].escalate.reason'],
      [58, 'rules[0].do[1].notify.to[1]'],
      [58, 'rules[0].do[1].notify.to[2].webhook'],
      [58, 'rules[0].do[1].notify.template'],
      [60, 'rules[1].on[0].idle'],
      [61, 'rules[1].if.any[0].tags.contains'],
      [61, 'rules[1].if.any[1].text.matches'],
      [61, 'rules[1].if.any[2].reassignments.gt'],
      [63, 'rules[1].do[0].escalate.to.skill'],
      [64, 'rules[1].do[1].assign'],
      [65, 'rules[1].do[2].set.colour'],
      [65, 'rules[1].do[2].set.status'],
      [66, 'rules[1].do[3].require_acknowledgement'],
      [67, 'rules[1].do[4].frobnicate'],
      [68, 'templates[1]'],
    ]);
  });

  it('says what is wrong and how to fix it', () => {
    const msg = (path: string) => found.find((p) => p.path === path)?.message ?? '';
    expect(msg('colour')).toMatch(/unknown field "colour"/);
    expect(msg('calendars.office.timezone')).toMatch(/unknown time zone "Mars\/Olympus"/);
    expect(msg('calendars.office.hours.mon')).toBe('intervals overlap: 09:00-12:00 and 11:00-17:00');
    expect(msg('calendars.office.hours.mon-wed')).toMatch(/mon .*tue/);
    expect(msg('calendars.open.holiday')).toMatch(/did you mean "holidays"/);
    expect(msg('teams.specialists.kind')).toMatch(/did you mean "functional"/);
    expect(msg('sla[0].when.priorty')).toMatch(/unknown condition field .*did you mean "priority"/);
    expect(msg('rules[0].on')).toMatch(/did you mean "sla.breached"/);
    expect(msg('rules[0].if.all[1].text.matches')).toMatch(/only inline flag is a leading \(\?i\)/);
    expect(msg('rules[1].if.any[1].text.matches')).toMatch(/invalid regular expression/);
    expect(msg('rules[1].if.any[0].tags.contains')).toMatch(/did you mean "includes"/);
    expect(msg('rules[0].do[0].escalate.to.team')).toMatch(/unknown team "legal"/);
    expect(msg('rules[1].do[0].escalate.to.skill')).toMatch(/no team has it/);
    expect(msg('rules[0].do[1].notify.template')).toMatch(/unknown template "no-such-template"/);
    expect(msg('sla[0].targets.urgent.first_response')).toMatch(/not a duration/);
  });
});
