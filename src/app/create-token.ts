/** Issues an API token for a user. The secret is returned once; only its digest is kept. */
import { digest, newTokenSecret } from '../auth/secrets.ts';
import { DomainError } from '../domain/errors.ts';
import { insertToken, type ApiToken } from '../store/credentials-repo.ts';
import { newId } from '../store/new-id.ts';
import { findUserByEmail, findUserById } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';

export async function createToken(deps: AppDeps, input: { user: { id: string } | { email: string }; name: string }): Promise<{ token: ApiToken; secret: string }> {
  const at = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const user = 'id' in input.user ? await findUserById(trx, input.user.id) : await findUserByEmail(trx, input.user.email);
    if (!user) {
      const ref = 'id' in input.user ? input.user.id : input.user.email;
      throw new DomainError('USER_NOT_FOUND', `no user '${ref}'`, { user: ref });
    }
    const secret = newTokenSecret();
    const token: ApiToken = { id: newId(at), userId: user.id, name: input.name, createdAt: at, lastUsedAt: null, revokedAt: null };
    await insertToken(trx, { ...token, digest: digest(secret) });
    return { token, secret };
  });
}
