/**
 * A ticket and the pure rules of its life (the contract (docs/contract.md) §1, §8.4): the priority matrix, the
 * status machine, comments' automatic status moves, owner and reassignment bookkeeping.
 *
 * The status machine, in prose: a ticket is born `new`. Any move between `open`, `pending`,
 * `on_hold` and `solved` is allowed in any direction, and so is `new` → any of them or
 * `closed`. Nothing ever moves *into* `new`, and nothing moves *out of* `closed` (it is final).
 * Two moves happen by themselves: `new` → `open` on the first public agent comment, and
 * `pending` → `open` on a public customer comment. Leaving `solved` for an open state is a
 * reopen (counted); entering `solved` stamps `solvedAt`.
 *
 * Every function returns the next ticket and the events the change caused; none mutates
 * its input. Persisting both in one transaction is the app layer's job.
 */
import { DomainError } from './errors.ts';
import type { Priority, Status } from './policy/types.ts';

export type Level3 = 1 | 2 | 3;

export interface Ticket {
  id: string;
  key: string;
  requesterId: string;
  organizationId: string;
  channel: string;
  subject: string;
  body: string;
  priority: Priority;
  impact: Level3 | null;
  urgency: Level3 | null;
  category: string | null;
  tags: string[];
  status: Status;
  assigneeId: string | null;
  ownerId: string | null;
  team: string | null;
  level: string | null;
  createdAt: number;
  updatedAt: number;
  solvedAt: number | null;
  version: number;
  reassignments: number;
  /** Team changes and moves back to a team already left (the contract (docs/contract.md) §1); counted by the engine. */
  teamMoves: number;
  bounces: number;
  reopens: number;
}

/** An event before the app layer stamps id, ticket, time and actor on it (the contract (docs/contract.md) §5). */
export interface DraftEvent {
  type: string;
  payload: Record<string, unknown>;
  /** Internal events are never shown to customers. */
  internal: boolean;
  /** Set by the engine for events a timer caused (the due moment); else the change's moment. */
  at?: number;
  /** Set by the engine for events of its own (`system`, `rule:<id>`); else the change's actor. */
  actor?: string;
}

export interface Change {
  ticket: Ticket;
  events: DraftEvent[];
}

/** the contract (docs/contract.md) §1: (1,1) urgent; (1,2),(2,1) high; (1,3),(2,2),(3,1) normal; otherwise low. */
export function priorityFromMatrix(impact: Level3, urgency: Level3): Priority {
  const sum = impact + urgency;
  if (sum === 2) return 'urgent';
  if (sum === 3) return 'high';
  if (sum === 4) return 'normal';
  return 'low';
}

/**
 * An explicit priority wins; impact × urgency set it only when no priority is given (both
 * kept on the ticket either way, so the assessment is not lost); otherwise `normal`.
 */
export function resolvePriority(input: { priority?: Priority | undefined; impact?: Level3 | null | undefined; urgency?: Level3 | null | undefined }): Priority {
  if (input.priority !== undefined) return input.priority;
  if (input.impact && input.urgency) return priorityFromMatrix(input.impact, input.urgency);
  return 'normal';
}

export function assertTransition(from: Status, to: Status): void {
  if (from === 'closed') {
    throw new DomainError('INVALID_TRANSITION', `a closed ticket is final: it cannot move to '${to}'`, { from, to });
  }
  if (to === 'new' && from !== 'new') {
    throw new DomainError('INVALID_TRANSITION', `a ticket never moves back to 'new' (it is '${from}'); use 'open'`, { from, to });
  }
}

export function changeStatus(ticket: Ticket, to: Status, at: number, automatic = false): Change {
  assertTransition(ticket.status, to);
  if (ticket.status === to) return { ticket, events: [] };
  const from = ticket.status;
  const reopen = from === 'solved' && to !== 'closed';
  const next: Ticket = {
    ...ticket,
    status: to,
    solvedAt: to === 'solved' ? at : to === 'closed' ? ticket.solvedAt : null,
    reopens: ticket.reopens + (reopen ? 1 : 0),
  };
  const payload: Record<string, unknown> = { from, to };
  if (automatic) payload.automatic = true;
  if (reopen) payload.reopen = true;
  return { ticket: next, events: [{ type: 'status.changed', payload, internal: false }] };
}

export function changePriority(ticket: Ticket, to: Priority): Change {
  if (ticket.priority === to) return { ticket, events: [] };
  return {
    ticket: { ...ticket, priority: to },
    events: [{ type: 'priority.changed', payload: { from: ticket.priority, to }, internal: false }],
  };
}

export function changeTags(ticket: Ticket, tags: string[]): Change {
  const next = [...new Set(tags)];
  const same = next.length === ticket.tags.length && next.every((t, i) => t === ticket.tags[i]);
  if (same) return { ticket, events: [] };
  return {
    ticket: { ...ticket, tags: next },
    events: [{ type: 'ticket.updated', payload: { field: 'tags', from: ticket.tags, to: next }, internal: true }],
  };
}

/**
 * Assign (or unassign with null). The first agent ever assigned becomes the owner when there
 * is none; moving from one agent to another counts as a reassignment.
 */
export function assign(ticket: Ticket, assigneeId: string | null): Change {
  if (ticket.assigneeId === assigneeId) return { ticket, events: [] };
  const reassignment = ticket.assigneeId !== null && assigneeId !== null;
  const next: Ticket = {
    ...ticket,
    assigneeId,
    ownerId: ticket.ownerId ?? assigneeId,
    reassignments: ticket.reassignments + (reassignment ? 1 : 0),
  };
  return {
    ticket: next,
    events: [
      {
        type: 'ticket.assigned',
        payload: { from: ticket.assigneeId, to: assigneeId, reassignment, reassignments: next.reassignments },
        internal: false,
      },
    ],
  };
}

export interface CommentFacts {
  commentId: string;
  authorId: string;
  /** `agent` for any staff role, `customer` otherwise. */
  authorKind: 'agent' | 'customer';
  authorRole: string;
  public: boolean;
}

/** A comment's effect on the ticket: the `comment.added` event and the automatic moves. */
export function addComment(ticket: Ticket, c: CommentFacts, at: number): Change {
  const events: DraftEvent[] = [
    {
      type: 'comment.added',
      payload: { comment_id: c.commentId, public: c.public, author_role: c.authorRole, author_kind: c.authorKind },
      internal: !c.public,
    },
  ];
  let next = ticket;
  if (c.public && c.authorKind === 'agent') {
    if (next.ownerId === null) next = { ...next, ownerId: c.authorId };
    if (next.status === 'new') {
      const moved = changeStatus(next, 'open', at, true);
      next = moved.ticket;
      events.push(...moved.events);
    }
  }
  // The customer answering a ticket waiting on them, or a solved one (it reopens, DOMAIN §8).
  if (c.public && c.authorKind === 'customer' && (next.status === 'pending' || next.status === 'solved')) {
    const moved = changeStatus(next, 'open', at, true);
    next = moved.ticket;
    events.push(...moved.events);
  }
  return { ticket: next, events };
}
