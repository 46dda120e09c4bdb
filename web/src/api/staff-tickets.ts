/** Staff open a ticket for a customer (POST /tickets with `requester: {email, name}`): the "New ticket" page. */
import { post, type BodyOf, type Organization, type User } from '../api.ts';

/** How the request came in; staff may record another word through the API. */
export const STAFF_CHANNELS = ['phone', 'chat', 'walk-in', 'email', 'web'] as const;
export type StaffChannel = (typeof STAFF_CHANNELS)[number];

/** POST /tickets as staff send it (the requester by email, the channel it came in by). */
export type StaffTicketInput = BodyOf<'post', '/tickets'>;

export const createStaffTicket = (input: StaffTicketInput) => post('/tickets', input);

/** Mail providers whose domain says nothing about a sender's organization (as the server's rule). */
const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'icloud.com', 'me.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com', 'yandex.ru']);

export type DerivedOrganization =
  | { kind: 'customer'; user: User; org: Organization | undefined }
  | { kind: 'domain'; org: Organization }
  | { kind: 'staff'; user: User }
  | { kind: 'unknown' };

/** What the server will do with this address: the existing customer's organization, else the one organization of the email's domain, else none. */
export function deriveOrganization(email: string, users: Iterable<User>, orgs: ReadonlyMap<string, Organization>): DerivedOrganization {
  const address = email.trim().toLowerCase();
  const all = [...users];
  const existing = all.find((u) => u.email.toLowerCase() === address);
  if (existing) return existing.role === 'customer' ? { kind: 'customer', user: existing, org: existing.organization_id ? orgs.get(existing.organization_id) : undefined } : { kind: 'staff', user: existing };
  const domain = address.split('@')[1];
  if (!domain || FREE_MAIL.has(domain)) return { kind: 'unknown' };
  const ids = new Set(all.filter((u) => u.role === 'customer' && u.active && u.organization_id && u.email.toLowerCase().endsWith(`@${domain}`)).map((u) => u.organization_id as string));
  const only = ids.size === 1 ? orgs.get([...ids][0] as string) : undefined;
  return only ? { kind: 'domain', org: only } : { kind: 'unknown' };
}
