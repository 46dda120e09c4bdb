/**
 * Adds a public reply or an internal note. Customers may only reply publicly on their own
 * organization's tickets; the domain decides the automatic status moves and the owner (a
 * customer's reply reopens a solved ticket). A customer writing to a closed ticket opens a
 * follow-up instead: a new ticket linked to the closed one, with an event on both. Staff get
 * a clear refusal (a closed ticket is final).
 */
import { actorRef, isStaff, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { addComment as applyComment, type Ticket } from '../domain/ticket.ts';
import type { Attachment } from '../store/attachments-repo.ts';
import { listCcs } from '../store/ccs-repo.ts';
import { insertComment, type Comment } from '../store/comments-repo.ts';
import { newId } from '../store/new-id.ts';
import { claimUploads } from './attachments.ts';
import { commitTicketChange, type Committed } from './commit-ticket-change.ts';
import { insertNewTicket } from './create-ticket.ts';
import type { AppDeps } from './deps.ts';
import { inTransaction } from './unit-of-work.ts';
import { loadVisibleTicket } from './ticket-access.ts';

export type AddCommentResult =
  | (Committed & { comment: Comment; attachments: Attachment[]; followUp?: undefined })
  | (Committed & { comment: null; attachments: Attachment[]; followUp: { ticket: Ticket; of: string } });

export async function addComment(deps: AppDeps, actor: Actor, ref: string, input: { body: string; public: boolean; attachmentIds?: readonly string[]; channel?: string }): Promise<AddCommentResult> {
  const staff = isStaff(actor.role);
  if (!staff && !input.public) throw new DomainError('FORBIDDEN', 'customers cannot write internal notes', {});
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow): Promise<AddCommentResult> => {
    const before = await loadVisibleTicket(trx, actor, ref, deps.store.dialect);
    if (before.status === 'closed') {
      if (staff) throw new DomainError('INVALID_TRANSITION', `ticket ${before.key} is closed: open a new ticket instead`, { ticket: before.key });
      // The customer's files go with their message: the follow-up's opening message.
      const opened = await insertNewTicket(
        trx,
        uow,
        deps,
        actor,
        { requesterId: actor.userId, organizationId: before.organizationId },
        { subject: before.subject, body: input.body, channel: input.channel ?? 'web', priority: before.priority, ...(before.category !== null && { category: before.category }), ...(input.attachmentIds !== undefined && { attachmentIds: input.attachmentIds }) },
        at,
        { followUpOf: { id: before.id, key: before.key }, ccs: await listCcs(trx, before.id) },
      );
      const linked = await commitTicketChange(trx, uow, deps, {
        before,
        ticket: before,
        events: [{ type: 'ticket.followed_up', payload: { follow_up: opened.ticket.key }, internal: false }],
        at,
        actor: actorRef(actor),
      });
      return { ...linked, comment: null, attachments: [], followUp: { ticket: opened.ticket, of: before.key } };
    }
    const comment: Comment = {
      id: newId(at),
      ticketId: before.id,
      authorId: actor.userId,
      authorRole: actor.role,
      public: input.public,
      body: input.body,
      createdAt: at,
    };
    await insertComment(trx, comment);
    const attachments = await claimUploads(trx, actor, input.attachmentIds, { ticketId: before.id, commentId: comment.id });
    const change = applyComment(
      before,
      { commentId: comment.id, authorId: actor.userId, authorKind: staff ? 'agent' : 'customer', authorRole: actor.role, public: input.public },
      at,
    );
    const committed = await commitTicketChange(trx, uow, deps, { before, ...change, at, actor: actorRef(actor), commentBody: input.body });
    return { ...committed, comment, attachments };
  });
}
