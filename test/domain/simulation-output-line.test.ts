// outputLineText writes JSON.stringify(toOutputLine(e)) without the spread copy; the bytes must
// be the same for every event, including payloads that would reorder or replace the head keys.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/domain/engine/types.ts';
import { outputLineText, toOutputLine } from '../../src/domain/simulation.ts';

const event = (type: string, data: Record<string, unknown>, over: Partial<EngineEvent> = {}): EngineEvent => ({ at: Date.UTC(2026, 11, 1, 10, 0, 0, 5), ticket: 'T1', type, actor: 'system', internal: false, data, ...over });

describe('simulate output lines', () => {
  it('are JSON.stringify(toOutputLine(e)), byte for byte', () => {
    const cases: EngineEvent[] = [
      event('sla.breached', { metric: 'resolution', policy: 'standard', policy_version: 1, target_ms: 3_600_000 }),
      event('escalation.acknowledged', {}),
      event('ticket.created', { subject: 'Ünïcode "quoted" \\ back\nline', tags: ['a'], organization: { id: 'o', tier: 't', contract_value: null }, sentiment: -0.5 }),
      event('status.changed', { from: 'new', to: 'open' }),
      event('status.changed', { from: 'new', to: 'open', status: 'x' }),
      event('status.changed', { from: 'new' }),
      event('status.changed', {}),
      event('priority.changed', { from: 'low', to: 'urgent', why: 'rule' }),
      event('priority.changed', { to: 7 }),
      event('ticket.updated', { type: 'inner', at: 'x', ticket: 'y' }),
      event('ticket.updated', { 2: 'two', a: 1, 10: 'ten' }),
      event('ticket.updated', { skipped: undefined, kept: null }),
      event('note', { a: 1 }, { ticket: 'T "2"' }),
      event('note', { a: 1 }, { at: Date.UTC(2026, 11, 1, 10, 0, 0, 5) + 1 }),
      event('note', { a: 1 }, { ticket: undefined as unknown as string }),
    ];
    for (const e of cases) expect(outputLineText(e)).toBe(JSON.stringify(toOutputLine(e)));
  });
});
