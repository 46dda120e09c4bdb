// parseWorkloadLine checks a line by hand before (instead of) the zod schema; the schema stays the
// reference. For every line, valid or not, both readings must give exactly the same result.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWithSchema, parseWorkloadLine } from '../../src/domain/workload.ts';

const ROOT = new URL('../../', import.meta.url);

function same(text: string, line = 1): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return; // not JSON: the schema is not reached
  }
  expect(parseWorkloadLine(text, line), text).toStrictEqual(parseWithSchema(json, line));
}

const VALUES: Record<string, unknown[]> = {
  at: ['2026-12-01T10:00:00Z', '2026-12-01T10:00:00.123+01:00', '2026-12-01T10:00+0530', '2026-13-01T10:00:00Z', '2026-02-30T10:00:00Z', '2026-12-01 10:00:00Z', '2026-12-01T10:00:00', 1, null],
  ticket: ['T1', '', 7, null],
  type: ['ticket.created', 'comment.added', 'status.changed', 'priority.changed', 'ticket.assigned', 'ticket.updated', 'ticket.escalated', 'ticket.deescalated', 'escalation.acknowledged', 'ticket.deleted', 'toString', '__proto__', 3],
  priority: ['low', 'normal', 'high', 'urgent', 'critical', null, 1],
  organization: [{ id: 'acme', tier: 'enterprise' }, { tier: 'standard', id: 'o', contract_value: 12 }, { id: 'o', tier: 't', contract_value: -1 }, { id: 'o', tier: 't', contract_value: 0 }, { id: '', tier: 't' }, { id: 'o' }, { id: 'o', tier: 't', x: 1 }, { id: 'o', tier: 't', contract_value: '5' }, [], null, 'acme'],
  subject: ['Down', '', 5, null],
  body: ['It broke', '', false],
  channel: ['email', '', null],
  tags: [[], ['a', 'b'], ['a', 1], 'a', null],
  team: ['frontline', '', null, 4],
  category: ['billing', null, '', 3],
  requester: ['a@example.com', null, 1],
  assignee: ['ana@example.com', null, '', 2],
  group: ['Service Desk', '', null],
  author: ['agent', 'customer', 'robot', null],
  public: [true, false, 'true', 0],
  status: ['new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'reopened', null],
  to_level: ['L2', '', null],
  to_team: ['specialists', '', null],
  reason: ['customer_request', 'technical_complexity', 'sla_risk', 'x', '', null],
  documentation: [{ summary: 's', steps_taken: 't', needs_attention: 'n' }, { summary: 's' }, null],
  color: ['red'],
};
const KEYS = Object.keys(VALUES);

const lineArb = fc
  .tuple(
    fc.constantFrom(...(VALUES.type as unknown[])),
    fc.subarray(KEYS.filter((k) => k !== 'type')),
    fc.array(fc.nat(), { minLength: KEYS.length, maxLength: KEYS.length }),
    fc.boolean(),
  )
  .map(([type, keys, picks, withType]) => {
    const o: Record<string, unknown> = withType ? { type } : {};
    keys.forEach((k, i) => {
      const options = VALUES[k] as unknown[];
      o[k] = options[(picks[i] as number) % options.length];
    });
    return JSON.stringify(o);
  });

// Lines that are valid whole, then each with one field changed or removed.
const VALID = [
  { at: '2026-12-01T10:00:00Z', ticket: 'T1', type: 'ticket.created', priority: 'urgent', organization: { id: 'acme', tier: 'enterprise', contract_value: 5 }, subject: 'S', body: 'B', channel: 'email', tags: ['x'], team: 'frontline', category: null, requester: 'r@example.com', assignee: null, group: 'G' },
  { at: '2026-12-01T10:00:00Z', ticket: 'T1', type: 'ticket.created', priority: 'low', organization: { tier: 'standard', id: 'o' }, subject: '', body: '', channel: 'web' },
  { at: '2026-12-01T10:05:00.5Z', ticket: 'T1', type: 'comment.added', author: 'customer', public: true, body: 'hi' },
  { at: '2026-12-01T10:05:00Z', ticket: 'T1', type: 'status.changed', status: 'pending' },
  { at: '2026-12-01T10:05:00Z', ticket: 'T1', type: 'priority.changed', priority: 'high' },
  { at: '2026-12-01T10:05:00Z', ticket: 'T1', type: 'ticket.assigned', assignee: 'ana@example.com', team: 'frontline', group: 'G' },
  { at: '2026-12-01T10:05:00Z', ticket: 'T1', type: 'ticket.assigned', assignee: null },
  { at: '2026-12-01T10:05:00Z', ticket: 'T1', type: 'ticket.updated', tags: [], category: 'billing' },
  { at: '2026-12-01T10:05:00Z', ticket: 'T1', type: 'ticket.updated' },
  { at: '2026-12-01T10:05:00Z', ticket: 'T1', type: 'ticket.escalated', reason: 'customer_request' },
  { at: '2026-12-01T10:05:00Z', ticket: 'T1', type: 'escalation.acknowledged' },
];

describe('workload lines: the hand check and the schema agree', () => {
  it('on every line of the example workloads', () => {
    for (const file of ['examples/workload.example.jsonl']) {
      readFileSync(new URL(file, ROOT), 'utf8')
        .split('\n')
        .filter((t) => t.trim() !== '')
        .forEach((t, i) => same(t, i + 1));
    }
  });

  it('on valid lines and on each with one field removed or changed to every test value', () => {
    let accepted = 0;
    for (const v of VALID) {
      const text = JSON.stringify(v);
      same(text);
      if (parseWorkloadLine(text, 1).ok) accepted++;
      for (const k of Object.keys(v)) {
        const without: Record<string, unknown> = { ...v };
        delete without[k];
        same(JSON.stringify(without));
        for (const value of VALUES[k] ?? []) same(JSON.stringify({ ...v, [k]: value }));
      }
      same(JSON.stringify({ ...v, color: 'red' }));
    }
    expect(accepted).toBe(VALID.length);
  });

  it('on random mixes of fields and values', () => {
    fc.assert(
      fc.property(lineArb, (text) => {
        same(text);
      }),
      { numRuns: 5000 },
    );
  });
});
