/** Domain objects → wire objects (snake_case, ISO instants). Nothing leaves without passing here. */
import type { Actor } from '../auth/roles.ts';
import { customerEventPayload } from '../domain/customer-fields.ts';
import type { CustomerFieldsDef } from '../domain/policy/types.ts';
import type { Ticket } from '../domain/ticket.ts';
import type { Attachment } from '../store/attachments-repo.ts';
import type { ReplyDelivery } from '../notify/reply-delivery.ts';
import type { Comment } from '../store/comments-repo.ts';
import type { ApiToken } from '../store/credentials-repo.ts';
import type { StoredEvent } from '../store/events-repo.ts';
import type { Organization } from '../store/organizations-repo.ts';
import type { User } from '../store/users-repo.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/**
 * `customer`: the reader is a customer and this is the policy's `customer_fields` — team, level,
 * assignee_id and owner_id are left out unless `public` lists them (absent, not null: null means
 * "none"). Staff (customer undefined or null) see everything.
 */
export function presentTicket(t: Ticket, customer?: CustomerFieldsDef | null) {
  const full = presentTicketFull(t);
  if (!customer) return full;
  const { assignee_id, owner_id, team, level, tags, ...rest } = full;
  const shown = customer.public;
  return {
    ...rest,
    ...(shown.includes('assignee') && { assignee_id }),
    ...(shown.includes('owner') && { owner_id }),
    ...(shown.includes('team') && { team }),
    ...(shown.includes('level') && { level }),
    ...(shown.includes('tags') && { tags }),
  };
}

function presentTicketFull(t: Ticket) {
  return {
    id: t.id,
    key: t.key,
    subject: t.subject,
    body: t.body,
    status: t.status,
    priority: t.priority,
    impact: t.impact,
    urgency: t.urgency,
    category: t.category,
    tags: t.tags,
    channel: t.channel,
    requester_id: t.requesterId,
    organization_id: t.organizationId,
    assignee_id: t.assigneeId,
    owner_id: t.ownerId,
    team: t.team,
    level: t.level,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    solved_at: isoOrNull(t.solvedAt),
    version: t.version,
    reassignments: t.reassignments,
    team_moves: t.teamMoves,
    bounces: t.bounces,
    reopens: t.reopens,
  };
}

export function presentAttachment(a: Attachment) {
  return {
    id: a.id,
    ticket_id: a.ticketId,
    comment_id: a.commentId,
    filename: a.filename,
    content_type: a.contentType,
    size: a.size,
    sha256: a.sha256,
    uploaded_by: a.uploadedBy,
    created_at: iso(a.createdAt),
    url: `/api/v1/attachments/${encodeURIComponent(a.id)}`,
  };
}

export function presentComment(c: Comment & { delivery?: ReplyDelivery[] }, attachments: readonly Attachment[] = []) {
  return {
    id: c.id,
    ticket_id: c.ticketId,
    author_id: c.authorId,
    author_role: c.authorRole,
    public: c.public,
    body: c.body,
    created_at: iso(c.createdAt),
    attachments: attachments.filter((a) => a.commentId === c.id).map(presentAttachment),
    delivery: (c.delivery ?? []).map((d) => ({ recipient: d.recipient, channel: d.channel, state: d.state, error: d.error, attempts: d.attempts, sent_at: isoOrNull(d.sentAt) })),
  };
}

/** `customer`: as for presentTicket — the payload loses triage always, routing unless public (domain/customer-fields.ts). */
export function presentEvent(e: StoredEvent, customer?: CustomerFieldsDef | null) {
  const payload = customer ? customerEventPayload(e.type, e.payload, customer) : e.payload;
  return { id: e.id, ticket_id: e.ticketId, at: iso(e.at), recorded_at: iso(e.recordedAt), type: e.type, actor: e.actor, internal: e.internal, payload };
}

export function presentOrganization(o: Organization) {
  return { id: o.id, name: o.name, tier: o.tier, contract_value: o.contractValue, account_manager: o.accountManager, created_at: iso(o.createdAt), mail_domains: o.mailDomains ?? [] };
}

export function presentUser(u: User) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, organization_id: u.organizationId, active: u.active, created_at: iso(u.createdAt), phone: u.phone ?? null, time_zone: u.timeZone ?? null };
}

export function presentToken(t: ApiToken) {
  return { id: t.id, user_id: t.userId, name: t.name, created_at: iso(t.createdAt), last_used_at: isoOrNull(t.lastUsedAt), revoked_at: isoOrNull(t.revokedAt), revoked_reason: t.revokedReason ?? null };
}

export function presentActor(a: Actor) {
  return { id: a.userId, email: a.email, name: a.name, role: a.role, organization_id: a.organizationId };
}
