/**
 * Adds a public reply or an internal note. Customers may only reply publicly on their own
 * organization's tickets; the domain decides the automatic status moves and the owner.
 */
import { actorRef, isStaff, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { addComment as applyComment } from '../domain/ticket.ts';
import type { Attachment } from '../store/attachments-repo.ts';
import { insertComment, type Comment } from '../store/comments-repo.ts';
import { newId } from '../store/new-id.ts';
import { claimUploads } from './attachments.ts';
import { commitTicketChange, type Committed } from './commit-ticket-change.ts';
import type { AppDeps } from './deps.ts';
import { inTransaction } from './unit-of-work.ts';
import { loadVisibleTicket } from './ticket-access.ts';

export async function addComment(deps: AppDeps, actor: Actor, ref: string, input: { body: string; public: boolean; attachmentIds?: readonly string[] }): Promise<Committed & { comment: Comment; attachments: Attachment[] }> {
  const staff = isStaff(actor.role);
  if (!staff && !input.public) throw new DomainError('FORBIDDEN', 'customers cannot write internal notes', {});
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    const before = await loadVisibleTicket(trx, actor, ref, deps.store.dialect);
    if (before.status === 'closed') {
      throw new DomainError('INVALID_TRANSITION', `ticket ${before.key} is closed: open a new ticket instead`, { ticket: before.key });
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
