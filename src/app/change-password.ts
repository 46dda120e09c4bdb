/**
 * A signed-in user changes their own password (POST /api/v1/auth/password). The current
 * password is checked under the account throttle (a stolen session cannot guess it quickly),
 * the new one against the password policy. Then, in one transaction: the new hash, every
 * session of the user deleted, every API token of the user revoked (reason
 * `password_changed`, the one making the call included), and — when the call came with a
 * session cookie — a new session for the caller: the session is rotated, its old id is dead.
 * Open streams of the user in this process close at once; other nodes' at their next re-check.
 */
import type { Actor } from '../auth/roles.ts';
import { assertStrongPassword } from '../auth/password-policy.ts';
import { digest, hashPassword, newSessionSecret } from '../auth/secrets.ts';
import { DomainError } from '../domain/errors.ts';
import { findSessionUser, insertSession } from '../store/credentials-repo.ts';
import { newId } from '../store/new-id.ts';
import { findUserById, updateUser as writeUser } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';
import { endUserAccess } from './end-access.ts';
import { verifyThrottled } from './login.ts';
import { revocationFeed } from './revocations.ts';

export interface PasswordChanged {
  /** The user's other sessions that were ended. */
  sessionsEnded: number;
  /** The user's API tokens that were revoked. */
  tokensRevoked: number;
  /** The caller's new session, when the call came with one. */
  session: { secret: string; expiresAt: number } | null;
}

export async function changeOwnPassword(
  deps: AppDeps,
  actor: Actor,
  input: { currentPassword: string; newPassword: string; sessionSecret?: string | undefined; deviceSecret?: string | undefined },
  sessionTtlMs: number,
): Promise<PasswordChanged> {
  const user = await findUserById(deps.store.db, actor.userId);
  if (!user) throw new DomainError('USER_NOT_FOUND', `no user '${actor.userId}'`, { user_id: actor.userId });
  if (!user.passwordHash) throw new DomainError('FORBIDDEN', 'this account signs in with API tokens only and has no password to change; an admin can set one (PATCH /api/v1/users/:id)', {});
  try {
    await verifyThrottled(deps, { email: user.email, user, password: input.currentPassword, deviceSecret: input.deviceSecret });
  } catch (err) {
    // Not 401: the caller is signed in, only the proof is wrong (a console must not sign out on it).
    if (err instanceof DomainError && err.code === 'INVALID_CREDENTIALS') {
      throw new DomainError('CURRENT_PASSWORD_WRONG', 'current_password is not your current password; nothing was changed', { field: 'current_password' });
    }
    throw err;
  }
  assertStrongPassword(input.newPassword, 'new_password');
  if (input.newPassword === input.currentPassword) {
    throw new DomainError('VALIDATION_FAILED', 'new_password is the current password; choose a different one', { field: 'new_password' });
  }
  const passwordHash = await hashPassword(input.newPassword);
  const at = deps.clock.now();
  const ownDigest = input.sessionSecret ? digest(input.sessionSecret) : undefined;
  const ownLive = ownDigest !== undefined && (await findSessionUser(deps.store.db, ownDigest, at)) === user.id;
  const rotated = ownLive ? { secret: newSessionSecret(), expiresAt: at + sessionTtlMs } : null;
  const ended = await deps.store.db.transaction().execute(async (trx) => {
    await writeUser(trx, user.id, { passwordHash });
    const e = await endUserAccess(trx, user.id, at, 'password_changed');
    if (rotated) await insertSession(trx, { id: newId(at), digest: digest(rotated.secret), userId: user.id, createdAt: at, expiresAt: rotated.expiresAt });
    return e;
  });
  revocationFeed.publish({ userId: user.id, ...(rotated && { exceptDigest: digest(rotated.secret) }) });
  return { sessionsEnded: Math.max(0, ended.sessions - (ownLive ? 1 : 0)), tokensRevoked: ended.tokens, session: rotated };
}
