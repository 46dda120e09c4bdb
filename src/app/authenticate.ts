/**
 * Turns a presented credential into an Actor: an API token (`Authorization: Bearer esc_…`) or
 * a session cookie. Inactive users and revoked or expired credentials resolve to nobody.
 *
 * Every request needs this, so the look-ups are cached in the process (store/change-watch.ts):
 * digest → token or session, user id → actor. A revocation, a deactivation, a password change
 * or a logout written by this process drops the cache at once; one written by another process
 * drops it at that process's commit on SQLite (data_version) and when its notification arrives
 * on PostgreSQL (migration 0023's triggers); entries live at most AUTH_TTL_MS regardless.
 * Failed look-ups are never cached. A token's `last_used_at` is written at most once a minute.
 */
import { TOKEN_PREFIX, digest } from '../auth/secrets.ts';
import type { Actor } from '../auth/roles.ts';
import { TopicCache, watchOf } from '../store/change-watch.ts';
import type { Store } from '../store/connect.ts';
import { findActiveTokenByDigest, findSession, touchToken, type ApiToken } from '../store/credentials-repo.ts';
import { findUserById } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';

/** The safety net: how long a cached credential or actor is trusted without any notification. */
export const AUTH_TTL_MS = 10_000;
/** `last_used_at` is coarse: written at most once per this interval per token. */
export const TOUCH_EVERY_MS = 60_000;

const tokens = new TopicCache<string, ApiToken | undefined>('auth', AUTH_TTL_MS);
const sessions = new TopicCache<string, { userId: string; expiresAt: number } | undefined>('auth', AUTH_TTL_MS);
const actors = new TopicCache<string, Actor | null>('auth', AUTH_TTL_MS);
/** Per store: token id → the last stamp this process wrote or read. */
const touched = new WeakMap<Store, Map<string, number>>();

async function actorFor(deps: AppDeps, userId: string): Promise<Actor | null> {
  const db = deps.store.db;
  return actors.get(
    watchOf(db),
    userId,
    async () => {
      const user = await findUserById(db, userId);
      if (!user || !user.active) return null;
      return { userId: user.id, email: user.email, name: user.name, role: user.role, organizationId: user.organizationId };
    },
    (a) => a !== null,
  );
}

async function touch(deps: AppDeps, token: ApiToken): Promise<void> {
  let stamps = touched.get(deps.store);
  if (!stamps) touched.set(deps.store, (stamps = new Map()));
  const now = deps.clock.now();
  const last = stamps.get(token.id) ?? token.lastUsedAt ?? Number.NEGATIVE_INFINITY;
  if (now - last < TOUCH_EVERY_MS) return;
  if (stamps.size >= 10_000) stamps.clear();
  stamps.set(token.id, now);
  await touchToken(deps.store.db, token.id, now);
}

export async function authenticateToken(deps: AppDeps, secret: string): Promise<Actor | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const db = deps.store.db;
  const d = digest(secret);
  const token = await tokens.get(watchOf(db), d, () => findActiveTokenByDigest(db, d), (t) => t !== undefined);
  if (!token) return null;
  await touch(deps, token);
  return actorFor(deps, token.userId);
}

export async function authenticateSession(deps: AppDeps, secret: string): Promise<Actor | null> {
  if (secret.length > 200) return null;
  const db = deps.store.db;
  const d = digest(secret);
  const session = await sessions.get(watchOf(db), d, () => findSession(db, d), (s) => s !== undefined);
  if (!session || session.expiresAt <= deps.clock.now()) return null;
  return actorFor(deps, session.userId);
}
