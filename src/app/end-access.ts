/**
 * Ending a user's access: every session deleted and every API token revoked (with the reason
 * recorded on the token), inside the caller's transaction. The caller publishes the
 * revocation (revocations.ts) after its commit, so open streams close at once.
 */
import type { Kysely, Transaction } from 'kysely';
import { deleteUserSessions, revokeUserTokens, type RevokeReason } from '../store/credentials-repo.ts';
import type { Database } from '../store/schema.ts';

export interface AccessEnded {
  /** Sessions that were still live. */
  sessions: number;
  /** Tokens revoked now. */
  tokens: number;
}

export async function endUserAccess(trx: Transaction<Database> | Kysely<Database>, userId: string, at: number, reason: Exclude<RevokeReason, 'revoked'>): Promise<AccessEnded> {
  const sessions = await deleteUserSessions(trx, userId, at);
  const tokens = (await revokeUserTokens(trx, userId, at, reason)).length;
  return { sessions, tokens };
}
