/**
 * Who the requester of a ticket is, for staff: the person, their organization (tier, contract
 * value), their other tickets, and the customer's cues (sentiment per message and its trend,
 * risk flags with the words that set them). Never for customers: the route is staff-only.
 */
import type { Actor } from '../auth/roles.ts';
import { customerCues, type CustomerCues, type CustomerMessage } from '../domain/customer-cues.ts';
import { listComments } from '../store/comments-repo.ts';
import { findOrganization } from '../store/organizations-repo.ts';
import { rowToTicket } from '../store/tickets-repo.ts';
import { findUserById } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';
import { loadVisibleTicket } from './ticket-access.ts';

export interface RequesterView {
  /** `email` null when the account has only intake's pseudo-address; `phone` when the requester wrote from a phone (SMS, WhatsApp intake). */
  requester: { id: string; name: string; email: string | null; phone: string | null; role: string } | null;
  organization: { id: string; name: string; tier: string; contract_value: number | null; account_manager: string | null } | null;
  other_tickets: Array<{ key: string; subject: string; status: string; priority: string; level: string | null; created_at: string }>;
  cues: {
    sentiment: Array<{ at: string; source: string; value: number }>;
    trend: CustomerCues['trend'];
    flags: Array<{ flag: string; words: string[]; at: string; source: string }>;
  };
}

const OTHER_TICKETS = 20;
// Intake gives a sender without an email address a pseudo-address `<sender>@<channel>.intake.invalid`
// (intake-sources.ts senderAddress); for a phone number that is the only place the number is kept.
const PSEUDO = /^([^@]+)@[a-z0-9-]+\.intake\.invalid$/;
const PHONE = /^\+?\d[\d.-]{5,}$/;

/** The contact details an account's address holds: a real email, or a phone number behind intake's pseudo-address. */
export function contactOf(address: string): { email: string | null; phone: string | null } {
  const pseudo = PSEUDO.exec(address);
  if (!pseudo) return { email: address, phone: null };
  const local = pseudo[1] ?? '';
  return { email: null, phone: PHONE.test(local) ? local : null };
}
const iso = (ms: number) => new Date(ms).toISOString();

export async function readRequester(deps: AppDeps, actor: Actor, ref: string): Promise<RequesterView> {
  const db = deps.store.db;
  const ticket = await loadVisibleTicket(db, actor, ref);
  const user = ticket.requesterId ? await findUserById(db, ticket.requesterId) : undefined;
  const org = await findOrganization(db, ticket.organizationId);
  const others = ticket.requesterId
    ? await db
        .selectFrom('tickets')
        .selectAll()
        .where('requester_id', '=', ticket.requesterId)
        .where('id', '!=', ticket.id)
        .orderBy('created_at', 'desc')
        .limit(OTHER_TICKETS)
        .execute()
    : [];
  const comments = await listComments(db, ticket.id, { includeInternal: false });
  const messages: CustomerMessage[] = [
    { at: ticket.createdAt, source: 'ticket', text: `${ticket.subject}\n${ticket.body}` },
    ...comments.filter((c) => c.authorRole === 'customer').map((c) => ({ at: c.createdAt, source: 'comment' as const, text: c.body })),
  ];
  const cues = customerCues(messages);
  return {
    requester: user ? { id: user.id, name: user.name, ...contactOf(user.email), role: user.role } : null,
    organization: org ? { id: org.id, name: org.name, tier: org.tier, contract_value: org.contractValue, account_manager: org.accountManager } : null,
    other_tickets: others.map(rowToTicket).map((t) => ({ key: t.key, subject: t.subject, status: t.status, priority: t.priority, level: t.level, created_at: iso(t.createdAt) })),
    cues: {
      sentiment: cues.sentiment.map((s) => ({ ...s, at: iso(s.at) })),
      trend: cues.trend,
      flags: cues.flags.map((f) => ({ ...f, at: iso(f.at) })),
    },
  };
}
