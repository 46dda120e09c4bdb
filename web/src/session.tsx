/** Who is signed in, and what the console knows about the organisation (policy, organizations, people). */
import { createContext, useContext } from 'react';
import type { Me, Organization, PolicyDoc, User } from './api.ts';
import type { PolicyModel } from './policy-model.ts';

export interface Session {
  me: Me;
  policy: { doc: PolicyDoc; model: PolicyModel } | null;
  orgs: Map<string, Organization>;
  /** People by id (admins can list them; otherwise what the console has learned). */
  users: Map<string, User>;
  signOut: () => Promise<void>;
  reloadPolicy: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

export const isStaff = (role: string): boolean => role !== 'customer';
export const isManager = (role: string): boolean => role === 'admin' || role === 'manager';
/** Leads, managers and admins read the reports (the dashboard, per-agent figures). */
export const canReport = (role: string): boolean => isManager(role) || role === 'lead';

/** A person's name for display: "you", a known name, or a short id. */
export function personName(s: Session, id: string | null | undefined): string {
  if (!id) return 'nobody';
  if (id === s.me.id) return `${s.me.name} (you)`;
  const u = s.users.get(id);
  return u ? u.name : `user ${id.slice(-6)}`;
}

/** An event's actor (`user:<id>`, `rule:<id>`, `system`) in words. */
export function actorName(s: Session, actor: string): string {
  if (actor.startsWith('user:')) return personName(s, actor.slice(5));
  if (actor.startsWith('rule:')) return `rule ${actor.slice(5)}`;
  return actor;
}
