/** User accounts: staff (admin, manager, lead, agent) and customers (with an organization). */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Role } from '../auth/roles.ts';
import type { Database, UsersTable } from './schema.ts';

type Db = Kysely<Database>;

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string | null;
  active: boolean;
  createdAt: number;
  /** E.164, for SMS notices. */
  phone?: string | null;
  /** IANA zone for times in notices. */
  timeZone?: string | null;
}

export interface UserWithSecret extends User {
  passwordHash: string | null;
}

function toUser(r: Selectable<UsersTable>): UserWithSecret {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role as Role,
    organizationId: r.organization_id,
    active: r.active === 1,
    createdAt: r.created_at,
    phone: r.phone ?? null,
    timeZone: r.time_zone ?? null,
    passwordHash: r.password_hash,
  };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function insertUser(db: Db, u: UserWithSecret): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: u.id,
      email: normaliseEmail(u.email),
      name: u.name,
      role: u.role,
      organization_id: u.organizationId,
      password_hash: u.passwordHash,
      active: u.active ? 1 : 0,
      created_at: u.createdAt,
      phone: u.phone ?? null,
      time_zone: u.timeZone ?? null,
    })
    .execute();
}

export async function findUserById(db: Db, id: string): Promise<UserWithSecret | undefined> {
  const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toUser(r) : undefined;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserWithSecret | undefined> {
  const r = await db.selectFrom('users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
  return r ? toUser(r) : undefined;
}

export async function listUsers(db: Db): Promise<UserWithSecret[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('email').execute();
  return rows.map(toUser);
}

export async function updateUser(
  db: Db,
  id: string,
  patch: { name?: string; role?: Role; organizationId?: string | null; active?: boolean; passwordHash?: string | null; phone?: string | null; timeZone?: string | null },
): Promise<void> {
  const set: Updateable<UsersTable> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.organizationId !== undefined) set.organization_id = patch.organizationId;
  if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
  if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
  if (patch.phone !== undefined) set.phone = patch.phone;
  if (patch.timeZone !== undefined) set.time_zone = patch.timeZone;
  if (Object.keys(set).length === 0) return;
  await db.updateTable('users').set(set).where('id', '=', id).execute();
}

/** Lower-cased addresses of the active staff accounts (policy validation warns about people without one). */
export async function activeStaffEmails(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('users').select('email').where('role', '!=', 'customer').where('active', '=', 1).execute();
  return new Set(rows.map((r) => r.email.toLowerCase()));
}
