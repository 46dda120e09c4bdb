/** Revokes an API token; it stops working on the next request. */
import { DomainError } from '../domain/errors.ts';
import { findToken, revokeToken as markRevoked, type ApiToken } from '../store/credentials-repo.ts';
import type { AppDeps } from './deps.ts';

export async function revokeToken(deps: AppDeps, id: string): Promise<ApiToken> {
  const at = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const token = await findToken(trx, id);
    if (!token) throw new DomainError('TOKEN_NOT_FOUND', `no API token '${id}'`, { token_id: id });
    if (token.revokedAt === null) await markRevoked(trx, id, at);
    return { ...token, revokedAt: token.revokedAt ?? at };
  });
}
