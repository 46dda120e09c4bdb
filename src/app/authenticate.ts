/**
 * Turns a presented credential into an Actor: an API token (`Authorization: Bearer esc_…`) or
 * a session cookie. Inactive users and revoked or expired credentials resolve to nobody.
 */
import { TOKEN_PREFIX, digest } from '../auth/secrets.ts';
import type { Actor } from '../auth/roles.ts';
import { findActiveTokenByDigest, findSessionUser, touchToken } from '../store/credentials-repo.ts';
import { findUserById } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';

async function actorFor(deps: AppDeps, userId: string): Promise<Actor | null> {
  const user = await findUserById(deps.store.db, userId);
  if (!user || !user.active) return null;
  return { userId: user.id, email: user.email, name: user.name, role: user.role, organizationId: user.organizationId };
}

export async function authenticateToken(deps: AppDeps, secret: string): Promise<Actor | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const token = await findActiveTokenByDigest(deps.store.db, digest(secret));
  if (!token) return null;
  await touchToken(deps.store.db, token.id, deps.clock.now());
  return actorFor(deps, token.userId);
}

export async function authenticateSession(deps: AppDeps, secret: string): Promise<Actor | null> {
  if (secret.length > 200) return null;
  const userId = await findSessionUser(deps.store.db, digest(secret), deps.clock.now());
  return userId ? actorFor(deps, userId) : null;
}
