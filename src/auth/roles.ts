/**
 * Roles, lowest privilege last. Staff roles work tickets; only `customer` belongs to an
 * organization and sees that organization's tickets alone.
 */
export const ROLES = ['admin', 'manager', 'lead', 'agent', 'customer'] as const;
export type Role = (typeof ROLES)[number];

export const STAFF_ROLES: readonly Role[] = ['admin', 'manager', 'lead', 'agent'];

export function isStaff(role: Role): boolean {
  return role !== 'customer';
}

/** Who is acting: resolved from a session cookie or an API token, or a system process. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string | null;
}

export function actorRef(actor: Actor): string {
  return `user:${actor.userId}`;
}
