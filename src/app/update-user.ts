/** Admins change a user's name, role, activity or password. */
import type { Role } from '../auth/roles.ts';
import { hashPassword } from '../auth/secrets.ts';
import { checkPhone, checkTimeZone } from '../domain/contact.ts';
import { DomainError } from '../domain/errors.ts';
import { findUserById, updateUser as writeUser, type User } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';

export async function updateUser(deps: AppDeps, id: string, patch: { name?: string; role?: Role; active?: boolean; password?: string; phone?: string | null; timeZone?: string | null }): Promise<User> {
  const phone = checkPhone(patch.phone);
  const timeZone = checkTimeZone(patch.timeZone);
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  return deps.store.db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, id);
    if (!user) throw new DomainError('USER_NOT_FOUND', `no user '${id}'`, { user_id: id });
    const role = patch.role ?? user.role;
    if ((role === 'customer') !== (user.role === 'customer')) {
      throw new DomainError('VALIDATION_FAILED', 'a customer cannot become staff or the reverse; create a new account', { field: 'role' });
    }
    const { phone: _p, timeZone: _z, password: _pw, ...plain } = patch;
    await writeUser(trx, id, { ...plain, ...(passwordHash ? { passwordHash } : {}), ...(phone !== undefined && { phone }), ...(timeZone !== undefined && { timeZone }) });
    const { passwordHash: _h, ...rest } = user;
    return {
      ...rest,
      name: patch.name ?? user.name,
      role,
      active: patch.active ?? user.active,
      phone: phone !== undefined ? phone : (user.phone ?? null),
      timeZone: timeZone !== undefined ? timeZone : (user.timeZone ?? null),
    };
  });
}
