/** Revokes an API token; it stops working on the next request, and its open streams here close at once. */
import { DomainError } from '../domain/errors.ts';
import { findToken, revokeToken as markRevoked, tokenDigest, type ApiToken } from '../store/credentials-repo.ts';
import type { AppDeps } from './deps.ts';
import { revocationFeed } from './revocations.ts';

export async function revokeToken(deps: AppDeps, id: string): Promise<ApiToken> {
  const at = deps.clock.now();
  const { token, d } = await deps.store.db.transaction().execute(async (trx) => {
    const token = await findToken(trx, id);
    if (!token) throw new DomainError('TOKEN_NOT_FOUND', `no API token '${id}'`, { token_id: id });
    if (token.revokedAt === null) await markRevoked(trx, id, at);
    const revoked: ApiToken = { ...token, revokedAt: token.revokedAt ?? at, revokedReason: token.revokedReason ?? 'revoked' };
    return { token: revoked, d: await tokenDigest(trx, id) };
  });
  if (d) revocationFeed.publish({ credentialDigest: d });
  return token;
}
