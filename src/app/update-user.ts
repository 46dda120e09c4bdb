/**
 * Admins change a user's name, role, activity or password. A password reset and a
 * deactivation end all of the user's access at once: every session is deleted, every API
 * token revoked (reason `password_reset` / `deactivated`), the known devices forgotten, and
 * the user's open streams in this process close; other nodes' streams close at their next
 * re-check. A reset also clears the account's sign-in throttle.
 */
import type { Role } from '../auth/roles.ts';
import { assertStrongPassword } from '../auth/password-policy.ts';
import { hashPassword } from '../auth/secrets.ts';
import { checkPhone, checkTimeZone } from '../domain/contact.ts';
import { DomainError } from '../domain/errors.ts';
import { clearThrottle, deleteUserDevices } from '../store/login-throttle-repo.ts';
import { findUserById, updateUser as writeUser, type User } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';
import { endUserAccess, type AccessEnded } from './end-access.ts';
import { revocationFeed } from './revocations.ts';

export async function updateUser(
  deps: AppDeps,
  id: string,
  patch: { name?: string; role?: Role; active?: boolean; password?: string; phone?: string | null; timeZone?: string | null },
): Promise<User & { accessEnded?: AccessEnded }> {
  const phone = checkPhone(patch.phone);
  const timeZone = checkTimeZone(patch.timeZone);
  if (patch.password !== undefined) assertStrongPassword(patch.password);
  const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
  const at = deps.clock.now();
  const result = await deps.store.db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, id);
    if (!user) throw new DomainError('USER_NOT_FOUND', `no user '${id}'`, { user_id: id });
    const role = patch.role ?? user.role;
    if ((role === 'customer') !== (user.role === 'customer')) {
      throw new DomainError('VALIDATION_FAILED', 'a customer cannot become staff or the reverse; create a new account', { field: 'role' });
    }
    const { phone: _p, timeZone: _z, password: _pw, ...plain } = patch;
    await writeUser(trx, id, { ...plain, ...(passwordHash ? { passwordHash } : {}), ...(phone !== undefined && { phone }), ...(timeZone !== undefined && { timeZone }) });
    let accessEnded: AccessEnded | undefined;
    if (patch.active === false || passwordHash) {
      accessEnded = await endUserAccess(trx, id, at, patch.active === false ? 'deactivated' : 'password_reset');
      await deleteUserDevices(trx, id);
      if (passwordHash) await clearThrottle(trx, user.email);
    }
    const { passwordHash: _h, ...rest } = user;
    return {
      ...rest,
      name: patch.name ?? user.name,
      role,
      active: patch.active ?? user.active,
      phone: phone !== undefined ? phone : (user.phone ?? null),
      timeZone: timeZone !== undefined ? timeZone : (user.timeZone ?? null),
      ...(accessEnded && { accessEnded }),
    };
  });
  if (result.accessEnded) revocationFeed.publish({ userId: id });
  return result;
}
