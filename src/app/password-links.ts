/**
 * One-time set-password links (issue 13): an admin invites a user (an account without a
 * password) or resets a user's password; the user gets an email with a link to the console's
 * /set-password page, and POST /api/v1/auth/set-password { token, password } sets the password.
 *
 * The token is 256 random bits; `password_links` keeps only its SHA-256. A link is single-use,
 * expires after LINK_TTL_MS, and a newer link of the same user replaces the older ones (they
 * are marked used). A reset ends the user's access at once (sessions, tokens, devices) when the
 * link is sent (unless `endAccess: false`) — the old password no longer signs in — and setting
 * the password ends it again.
 * The mail goes through the outbox (template `account-set-password`, ticket-less: its facts
 * are in the row's payload, notify/standalone-message.ts), in the same transaction.
 */
import { randomBytes } from 'node:crypto';
import { assertStrongPassword } from '../auth/password-policy.ts';
import { digest, hashPassword } from '../auth/secrets.ts';
import { DomainError } from '../domain/errors.ts';
import { clearThrottle, deleteUserDevices } from '../store/login-throttle-repo.ts';
import { newId } from '../store/new-id.ts';
import { queueStandaloneEmail } from '../notify/standalone-message.ts';
import { findUserById, updateUser as writeUser } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';
import { endUserAccess } from './end-access.ts';
import { revocationFeed } from './revocations.ts';
import { inTransaction } from './unit-of-work.ts';

export const LINK_TTL_MS = 72 * 3_600_000;
export const SET_PASSWORD_TEMPLATE = 'account-set-password';
export type LinkPurpose = 'invite' | 'reset';

export function setPasswordUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/set-password?token=${token}`;
}

export interface LinkSent {
  userId: string;
  email: string;
  purpose: LinkPurpose;
  expiresAt: number;
  /** Sessions and tokens ended (a reset). */
  accessEnded: { sessions: number; tokens: number } | null;
}

/**
 * Sends a set-password link to an active user. `reset` also ends the user's access and clears
 * the password (so neither the old password nor a stolen session outlives the reset).
 */
export async function sendPasswordLink(deps: AppDeps, input: { userId: string; purpose: LinkPurpose; by: string | null; publicUrl: string; endAccess?: boolean }): Promise<LinkSent> {
  const at = deps.clock.now();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = at + LINK_TTL_MS;
  const result = await inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    uow.outboxChanged();
    const user = await findUserById(trx, input.userId);
    if (!user) throw new DomainError('USER_NOT_FOUND', `no user '${input.userId}'`, { user_id: input.userId });
    if (!user.active) {
      throw new DomainError('USER_INACTIVE', `user '${user.email}' is deactivated; reactivate them (PATCH /api/v1/users/${user.id} {"active": true}) before sending a link`, { user_id: user.id });
    }
    await trx.updateTable('password_links').set({ used_at: at }).where('user_id', '=', user.id).where('used_at', 'is', null).execute();
    await trx
      .insertInto('password_links')
      .values({ id: newId(at), user_id: user.id, token_digest: digest(token), purpose: input.purpose, created_by: input.by, created_at: at, expires_at: expiresAt, used_at: null })
      .execute();
    let accessEnded: LinkSent['accessEnded'] = null;
    if (input.purpose === 'reset' && input.endAccess !== false) {
      await writeUser(trx, user.id, { passwordHash: null });
      accessEnded = await endUserAccess(trx, user.id, at, 'password_reset');
      await deleteUserDevices(trx, user.id);
    }
    await queueStandaloneEmail(trx, at, user.email, SET_PASSWORD_TEMPLATE, {
      customer: { name: user.name, email: user.email },
      subject: input.purpose === 'invite' ? 'Your Escalon account' : 'Reset your Escalon password',
      confirmation_url: setPasswordUrl(input.publicUrl, token),
      expires_at: new Date(expiresAt).toISOString(),
    });
    return { userId: user.id, email: user.email, purpose: input.purpose, expiresAt, accessEnded };
  });
  if (result.accessEnded) revocationFeed.publish({ userId: result.userId });
  return result;
}

/** Sets the password of the link's user; the link is spent, every other credential of the user ends. */
export async function setPasswordWithLink(deps: AppDeps, input: { token: string; password: string }): Promise<{ email: string }> {
  const at = deps.clock.now();
  const invalid = () => new DomainError('PASSWORD_LINK_INVALID', 'this set-password link is not valid or was already used (copy the whole link from the mail, or ask an admin for a new one)', {});
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(input.token)) throw invalid();
  // An unknown link is refused before the (deliberately slow) password hashing.
  const known = await deps.store.db.selectFrom('password_links').select('id').where('token_digest', '=', digest(input.token)).where('used_at', 'is', null).executeTakeFirst();
  if (!known) throw invalid();
  assertStrongPassword(input.password);
  const hash = await hashPassword(input.password);
  const email = await deps.store.db.transaction().execute(async (trx) => {
    const link = await trx.selectFrom('password_links').selectAll().where('token_digest', '=', digest(input.token)).executeTakeFirst();
    if (!link || link.used_at !== null) throw invalid();
    if (link.expires_at <= at) {
      throw new DomainError('PASSWORD_LINK_EXPIRED', `this set-password link expired at ${new Date(link.expires_at).toISOString()}; ask an admin for a new one`, { expired_at: new Date(link.expires_at).toISOString() });
    }
    const user = await findUserById(trx, link.user_id);
    if (!user?.active) throw invalid();
    // Single use even under concurrency: only the request that flips used_at proceeds.
    const spent = await trx.updateTable('password_links').set({ used_at: at }).where('id', '=', link.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw invalid();
    await writeUser(trx, user.id, { passwordHash: hash });
    await endUserAccess(trx, user.id, at, 'password_reset');
    await deleteUserDevices(trx, user.id);
    await clearThrottle(trx, user.email);
    return { email: user.email, userId: user.id };
  });
  revocationFeed.publish({ userId: email.userId });
  return { email: email.email };
}
