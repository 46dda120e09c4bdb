/**
 * Password login (argon2) → a new session. A wrong email and a wrong password fail the same
 * way, and an unknown email still pays for one hash so timing does not reveal accounts.
 */
import { hashPassword, newSessionSecret, digest, verifyPassword } from '../auth/secrets.ts';
import type { Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { deleteSession, insertSession } from '../store/credentials-repo.ts';
import { newId } from '../store/new-id.ts';
import { findUserByEmail } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';

let decoyHash: Promise<string> | undefined;

export async function login(deps: AppDeps, input: { email: string; password: string }, ttlMs: number): Promise<{ actor: Actor; sessionSecret: string; expiresAt: number }> {
  const user = await findUserByEmail(deps.store.db, input.email);
  decoyHash ??= hashPassword('escalon-decoy-password');
  const ok = user?.passwordHash && user.active ? await verifyPassword(user.passwordHash, input.password) : (await verifyPassword(await decoyHash, input.password), false);
  if (!user || !ok) throw new DomainError('INVALID_CREDENTIALS', 'wrong email or password', {});
  const at = deps.clock.now();
  const sessionSecret = newSessionSecret();
  const expiresAt = at + ttlMs;
  await insertSession(deps.store.db, { id: newId(at), digest: digest(sessionSecret), userId: user.id, createdAt: at, expiresAt });
  return {
    actor: { userId: user.id, email: user.email, name: user.name, role: user.role, organizationId: user.organizationId },
    sessionSecret,
    expiresAt,
  };
}

export async function logout(deps: AppDeps, sessionSecret: string): Promise<void> {
  await deleteSession(deps.store.db, digest(sessionSecret));
}
