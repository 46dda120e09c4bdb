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
}

export async function insertToken(db: Db, t: ApiToken & { digest: string }): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({ id: t.id, user_id: t.userId, name: t.name, digest: t.digest, created_at: t.createdAt, last_used_at: null, revoked_at: null })
    .execute();
}

export async function findActiveTokenByDigest(db: Db, digest: string): Promise<ApiToken | undefined> {
  const r = await db.selectFrom('api_tokens').selectAll().where('digest', '=', digest).where('revoked_at', 'is', null).executeTakeFirst();
  return r ? { id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at } : undefined;
}

export async function listTokens(db: Db): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export async function findToken(db: Db, id: string): Promise<ApiToken | undefined> {
  return (await listTokensWhere(db, id))[0];
}

async function listTokensWhere(db: Db, id: string): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export async function revokeToken(db: Db, id: string, at: number): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Coarse last-use stamp: written at most once a minute per token to keep reads cheap. */
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

export async function deleteSession(db: Db, digest: string): Promise<void> {
  await db.deleteFrom('sessions').where('digest', '=', digest).execute();
}
