import { expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { STATUSES } from '../../src/domain/policy/types.ts';
import { addComment, assertTransition, priorityFromMatrix, resolvePriority } from '../../src/domain/ticket.ts';
import type { Ticket } from '../../src/domain/ticket.ts';

it.each([
  [1, 1, 'urgent'],
  [1, 2, 'high'],
  [2, 1, 'high'],
  [1, 3, 'normal'],
  [2, 2, 'normal'],
  [3, 1, 'normal'],
  [2, 3, 'low'],
  [3, 2, 'low'],
  [3, 3, 'low'],
] as const)('impact %i × urgency %i → %s', (impact, urgency, expected) => {
  expect(priorityFromMatrix(impact, urgency)).toBe(expected);
  expect(resolvePriority({ impact, urgency })).toBe(expected);
});

it('an explicit priority wins over impact × urgency', () => {
  expect(resolvePriority({ priority: 'low', impact: 1, urgency: 1 })).toBe('low');
  expect(resolvePriority({ priority: 'urgent', impact: 3, urgency: 3 })).toBe('urgent');
  expect(resolvePriority({})).toBe('normal');
});

it('allows every move except into new and out of closed', () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const refused = from === 'closed' || (to === 'new' && from !== 'new');
      let threw = false;
      try {
        assertTransition(from, to);
      } catch (err) {
        threw = err instanceof DomainError && err.code === 'INVALID_TRANSITION';
      }
      expect(threw, `${from} → ${to}`).toBe(refused);
    }
  }
});

const base: Ticket = {
  id: 't', key: 'ESC-1', requesterId: 'c', organizationId: 'o', channel: 'web', subject: 's', body: 'b', priority: 'normal',
  impact: null, urgency: null, category: null, tags: [], status: 'new', assigneeId: null, ownerId: null, team: null, level: null,
  createdAt: 0, updatedAt: 0, solvedAt: null, version: 1, reassignments: 0, teamMoves: 0, bounces: 0, reopens: 0,
};

it('opens on the first public agent comment only, and pending reopens on a public customer comment', () => {
  const c = (kind: 'agent' | 'customer', pub: boolean) => ({ commentId: 'x', authorId: 'a', authorKind: kind, authorRole: kind, public: pub });
  expect(addComment(base, c('agent', false), 1).ticket.status).toBe('new');
  expect(addComment(base, c('customer', true), 1).ticket.status).toBe('new');
  const opened = addComment(base, c('agent', true), 1);
  expect([opened.ticket.status, opened.ticket.ownerId]).toEqual(['open', 'a']);
  expect(addComment({ ...base, status: 'pending' }, c('customer', true), 1).ticket.status).toBe('open');
  expect(addComment({ ...base, status: 'on_hold' }, c('customer', true), 1).ticket.status).toBe('on_hold');
  expect(addComment({ ...base, status: 'pending' }, c('customer', false), 1).ticket.status).toBe('pending');
});
