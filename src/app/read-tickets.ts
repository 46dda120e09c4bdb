/**
 * Ticket reads, filtered by what the actor may see: a customer's list is pinned to their
 * organization, and internal comments and events are dropped for them.
 */
import { isStaff, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import type { Ticket } from '../domain/ticket.ts';
import { listComments, type Comment } from '../store/comments-repo.ts';
import { listEvents, type StoredEvent } from '../store/events-repo.ts';
import { listTickets as queryTickets, type Cursor, type TicketFilter } from '../store/tickets-repo.ts';
import { replyDeliveries, type ReplyDelivery } from '../notify/reply-delivery.ts';
import type { AppDeps } from './deps.ts';
import { loadVisibleTicket } from './ticket-access.ts';

export function getTicket(deps: AppDeps, actor: Actor, ref: string): Promise<Ticket> {
  return loadVisibleTicket(deps.store.db, actor, ref);
}

export function encodeCursor(t: Ticket): string {
  return Buffer.from(JSON.stringify([t.createdAt, t.id])).toString('base64url');
}

/** A cursor this server handed out: base64url of `[number, id]`, the number passing `valid`. */
export function decodePairCursor(raw: string, valid: (n: number) => boolean): [number, string] {
  const bad = () => new DomainError('INVALID_CURSOR', 'the cursor is not one this server handed out; start again without it', { cursor: raw });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [n, id] = parsed as unknown[];
  if (typeof n !== 'number' || !valid(n) || typeof id !== 'string' || id.length > 64) throw bad();
  return [n, id];
}

export function decodeCursor(raw: string): Cursor {
  const [createdAt, id] = decodePairCursor(raw, Number.isSafeInteger);
  return { createdAt, id };
}

export async function listTickets(
  deps: AppDeps,
  actor: Actor,
  filter: TicketFilter,
  page: { cursor?: string; limit: number },
): Promise<{ items: Ticket[]; nextCursor: string | null }> {
  const scoped: TicketFilter = isStaff(actor.role) ? filter : { ...filter, organizationId: actor.organizationId ?? '\u0000none' };
  if (!isStaff(actor.role) && filter.organizationId !== undefined && filter.organizationId !== actor.organizationId) {
    return { items: [], nextCursor: null };
  }
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await queryTickets(deps.store.db, scoped, after, page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
}

/** One comment's delivery (staff only; customers get []). */
export async function commentDelivery(deps: AppDeps, actor: Actor, commentId: string): Promise<ReplyDelivery[]> {
  if (!isStaff(actor.role)) return [];
  return (await replyDeliveries(deps.store.db, [commentId])).get(commentId) ?? [];
}

/** Comments, with each staff reply's delivery to the customer (for staff only). */
export async function listTicketComments(deps: AppDeps, actor: Actor, ref: string): Promise<Array<Comment & { delivery: ReplyDelivery[] }>> {
  const ticket = await loadVisibleTicket(deps.store.db, actor, ref);
  const staff = isStaff(actor.role);
  const comments = await listComments(deps.store.db, ticket.id, { includeInternal: staff });
  const deliveries = staff ? await replyDeliveries(deps.store.db, comments.filter((c) => c.public).map((c) => c.id)) : new Map<string, ReplyDelivery[]>();
  return comments.map((c) => ({ ...c, delivery: deliveries.get(c.id) ?? [] }));
}

export async function listTicketEvents(deps: AppDeps, actor: Actor, ref: string): Promise<StoredEvent[]> {
  const ticket = await loadVisibleTicket(deps.store.db, actor, ref);
  return listEvents(deps.store.db, ticket.id, { includeInternal: isStaff(actor.role) });
}
