/**
 * The one path every inbound message takes (email, web form, provider webhook), through the
 * foundation's use cases so the engine runs:
 *   1. the raw message is stored first (inbound_messages, unique per channel + external id: a
 *      redelivered message is recognised and accepted without a second ticket);
 *   2. the sender becomes an actor: a known user, or a new customer in the intake organization
 *      (app/intake-organization.ts); otherwise the message is refused (INTAKE_REFUSED). The web
 *      form never reaches this step with a known user's address unconfirmed (hold-web-message.ts);
 *   3. a reply threads into its ticket when the caller vouches for the key (a valid signed
 *      reply address) or, for a key read from a subject or header, when the sender may see
 *      that ticket; a key the sender may not see never receives the text: a new ticket opens;
 *      a reply to a solved ticket reopens it; to a closed one it opens a linked follow-up;
 *      a new ticket keeps the message's customer CCs (replies go to them too);
 *   4. the raw row is linked to the ticket and comment. If anything fails, the raw row is
 *      removed again: a message is kept whole or not at all.
 */
import { isStaff, type Actor } from '../auth/roles.ts';
import { addComment } from '../app/add-comment.ts';
import { prepareIncomingFiles, recordIncomingFiles, type IncomingFile } from '../app/attachments.ts';
import { createTicket } from '../app/create-ticket.ts';
import { createUser } from '../app/create-user.ts';
import { organizationOfDomain } from '../store/organizations-repo.ts';
import type { AppDeps } from '../app/deps.ts';
import { DomainError } from '../domain/errors.ts';
import { newId } from '../store/new-id.ts';
import { findTicket } from '../store/tickets-repo.ts';
import { findUserByEmail } from '../store/users-repo.ts';

export interface InboundMessage {
  channel: string;
  /** Message-ID, provider message id, … (unique per channel). */
  externalId: string;
  senderEmail: string;
  senderName: string;
  subject: string;
  body: string;
  raw: Uint8Array;
  /** A ticket key the caller has verified (signed reply address). */
  trustedTicketKey?: string;
  /** Ticket keys read from the subject or headers: used only if the sender may see the ticket. */
  claimedTicketKeys?: string[];
  /** Files that came with the message: kept on the created comment (or the new ticket). */
  attachments?: IncomingFile[];
  /** Other customer addresses copied on the message (mail Cc): kept on a new ticket. */
  ccs?: string[];
  /** A provider intake source, and the sender's number or handle there (replies go back that way). */
  source?: { name: string; replyTo: string };
}

export interface IntakeOptions {
  defaultOrganizationId?: string | undefined;
}

export type IntakeResult =
  | { kind: 'created'; ticketKey: string; ticketId: string }
  | { kind: 'commented'; ticketKey: string; ticketId: string; commentId: string }
  | { kind: 'follow_up'; ticketKey: string; ticketId: string; followUpOf: string }
  | { kind: 'duplicate' };

const isUniqueViolation = (err: unknown) => /unique|duplicate key/i.test((err as Error).message ?? '');

async function senderActor(deps: AppDeps, m: InboundMessage, o: IntakeOptions): Promise<Actor> {
  const email = m.senderEmail.trim().toLowerCase();
  let user = await findUserByEmail(deps.store.db, email);
  if (!user) {
    // A new sender from an organization's mail domain joins that organization (organization_domains) —
    // for mail only: the web form takes any typed address, so its new senders always join the intake organization.
    const byDomain = m.channel === 'email' ? await organizationOfDomain(deps.store.db, email.slice(email.lastIndexOf('@') + 1)) : undefined;
    const organizationId = byDomain ?? o.defaultOrganizationId;
    if (!organizationId) {
      throw new DomainError('INTAKE_REFUSED', `sender ${email} has no account here, and this server turns new senders away (ESCALON_INTAKE_DEFAULT_ORG=none)`, { sender: email });
    }
    try {
      await createUser(deps, { email, name: m.senderName.trim() || email, role: 'customer', organizationId });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'EMAIL_TAKEN')) throw err;
    }
    user = await findUserByEmail(deps.store.db, email);
  }
  if (!user?.active) throw new DomainError('INTAKE_REFUSED', `sender ${email} is deactivated`, { sender: email });
  return { userId: user.id, email: user.email, name: user.name, role: user.role, organizationId: user.organizationId };
}

async function threadTarget(deps: AppDeps, actor: Actor, m: InboundMessage): Promise<string | null> {
  if (m.trustedTicketKey) return m.trustedTicketKey;
  for (const key of m.claimedTicketKeys ?? []) {
    const t = await findTicket(deps.store.db, key);
    if (!t) continue;
    const own = isStaff(actor.role) || (actor.organizationId !== null && actor.organizationId === t.organizationId && (actor.role !== 'customer' || t.requesterId === actor.userId));
    if (own) return t.key;
  }
  return null;
}

export async function receiveMessage(deps: AppDeps, m: InboundMessage, o: IntakeOptions): Promise<IntakeResult> {
  const at = deps.clock.now();
  const rawId = newId(at);
  try {
    await deps.store.db
      .insertInto('inbound_messages')
      .values({
        id: rawId,
        channel: m.channel,
        external_id: m.externalId,
        ticket_id: null,
        comment_id: null,
        sender: m.senderEmail.toLowerCase(),
        raw: m.raw,
        received_at: at,
        source: m.source?.name ?? null,
        reply_to: m.source?.replyTo ?? null,
      })
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) return { kind: 'duplicate' };
    throw err;
  }
  try {
    const actor = await senderActor(deps, m, o);
    const key = await threadTarget(deps, actor, m);
    const files = await prepareIncomingFiles(deps, m.attachments ?? []);
    let result: IntakeResult;
    if (key) {
      const c = await addComment(deps, actor, key, { body: m.body || '(empty message)', public: true, channel: m.channel });
      result = c.followUp
        ? { kind: 'follow_up', ticketKey: c.followUp.ticket.key, ticketId: c.followUp.ticket.id, followUpOf: c.followUp.of }
        : { kind: 'commented', ticketKey: c.ticket.key, ticketId: c.ticket.id, commentId: c.comment.id };
    } else {
      if (isStaff(actor.role)) {
        throw new DomainError('INTAKE_REFUSED', `${actor.email} is staff: open tickets for customers in the console or the API, or reply to a ticket's signed reply address`, { sender: actor.email });
      }
      const ccs = (m.ccs ?? []).map((a) => a.toLowerCase()).filter((a) => a !== actor.email.toLowerCase());
      const created = await createTicket(deps, actor, { subject: m.subject.trim() || '(no subject)', body: m.body || '(empty message)' }, { ccs, via: m.channel });
      result = { kind: 'created', ticketKey: created.ticket.key, ticketId: created.ticket.id };
    }
    await recordIncomingFiles(deps, actor, { ticketId: result.ticketId, commentId: result.kind === 'commented' ? result.commentId : null }, files);
    await deps.store.db
      .updateTable('inbound_messages')
      .set({ ticket_id: result.ticketId, comment_id: result.kind === 'commented' ? result.commentId : null })
      .where('id', '=', rawId)
      .execute();
    return result;
  } catch (err) {
    await deps.store.db.deleteFrom('inbound_messages').where('id', '=', rawId).execute().catch(() => undefined);
    throw err;
  }
}
