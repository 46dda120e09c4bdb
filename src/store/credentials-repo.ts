/**
 * API tokens and login sessions. Only SHA-256 digests of the secrets are stored: a leaked
 * database does not hand out working credentials, and a fast digest keeps the per-request
 * check cheap (the secrets are long and random, so a slow hash adds nothing).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** Why it was revoked: `revoked` (by an admin), `password_changed`, `password_reset`, `deactivated`. */
  revokedReason?: RevokeReason | null;
}

export type RevokeReason = 'revoked' | 'password_changed' | 'password_reset' | 'deactivated';

type TokenRow = { id: string; user_id: string; name: string; created_at: number; last_used_at: number | null; revoked_at: number | null; revoked_reason?: string | null };

function tokenOf(r: TokenRow): ApiToken {
  return { id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at, revokedReason: r.revoked_at === null ? null : ((r.revoked_reason ?? 'revoked') as RevokeReason) };
}

export async function insertToken(db: Db, t: ApiToken & { digest: string }): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({ id: t.id, user_id: t.userId, name: t.name, digest: t.digest, created_at: t.createdAt, last_used_at: null, revoked_at: null })
    .execute();
}

export async function findActiveTokenByDigest(db: Db, digest: string): Promise<ApiToken | undefined> {
  const r = await db.selectFrom('api_tokens').selectAll().where('digest', '=', digest).where('revoked_at', 'is', null).executeTakeFirst();
  return r ? tokenOf(r) : undefined;
}

export async function listTokens(db: Db): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(tokenOf);
}

export async function findToken(db: Db, id: string): Promise<ApiToken | undefined> {
  return (await listTokensWhere(db, id))[0];
}

async function listTokensWhere(db: Db, id: string): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).execute();
  return rows.map(tokenOf);
}

export async function revokeToken(db: Db, id: string, at: number, reason: RevokeReason = 'revoked'): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: at, revoked_reason: reason }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Revokes every live token of a user; returns their ids. */
export async function revokeUserTokens(db: Db, userId: string, at: number, reason: RevokeReason): Promise<string[]> {
  const live = await db.selectFrom('api_tokens').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  if (live.length === 0) return [];
  const ids = live.map((r) => r.id);
  await db.updateTable('api_tokens').set({ revoked_at: at, revoked_reason: reason }).where('id', 'in', ids).where('revoked_at', 'is', null).execute();
  return ids;
}

/** The digest of a token's secret (an open stream knows its credential by it). */
export async function tokenDigest(db: Db, id: string): Promise<string | undefined> {
  return (await db.selectFrom('api_tokens').select('digest').where('id', '=', id).executeTakeFirst())?.digest;
}

/** Ends every session of a user (expired ones included); returns how many were still live at `now`. */
export async function deleteUserSessions(db: Db, userId: string, now: number): Promise<number> {
  const live = await db.selectFrom('sessions').select('id').where('user_id', '=', userId).where('expires_at', '>', now).execute();
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  return live.length;
}

/** Coarse last-use stamp: at most once a minute per token (app/authenticate.ts throttles in memory too, so most requests write nothing). */
export async function touchToken(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at - 60_000)]))
    .execute();
}

export async function insertSession(db: Db, s: { id: string; digest: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
  await db
    .insertInto('sessions')
    .values({ id: s.id, digest: s.digest, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt })
    .execute();
}

export async function findSessionUser(db: Db, digest: string, now: number): Promise<string | undefined> {
  const r = await db.selectFrom('sessions').select('user_id').where('digest', '=', digest).where('expires_at', '>', now).executeTakeFirst();
  return r?.user_id;
}

/** A session by its secret's digest, whatever its expiry (the caller compares `expiresAt` with its clock). */
export async function findSession(db: Db, digest: string): Promise<{ userId: string; expiresAt: number } | undefined> {
  const r = await db.selectFrom('sessions').select(['user_id', 'expires_at']).where('digest', '=', digest).executeTakeFirst();
  return r ? { userId: r.user_id, expiresAt: r.expires_at } : undefined;
}

export async function deleteSession(db: Db, digest: string): Promise<void> {
  await db.deleteFrom('sessions').where('digest', '=', digest).execute();
}
