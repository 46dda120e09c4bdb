/**
 * Password login (argon2) → a new session. A wrong email and a wrong password fail the same
 * way, and an unknown email still pays for one hash so timing does not reveal accounts.
 *
 * Besides the per-address limit of the route, every attempt goes through the account throttle
 * (domain/login-throttle.ts, state in the database): after 5 failures on one email, from any
 * address, the account takes no attempts for an exponentially growing window (1 s … 15 min),
 * answered 429 LOGIN_THROTTLED without checking the password. A browser that signed in to
 * the account before holds a device cookie (a random secret, its digest in `login_devices`):
 * it is not throttled, so guessing never locks the owner out of their own device; 5 wrong
 * passwords with one device cookie drop that device.
 */
import { hashPassword, newSessionSecret, digest, verifyPassword } from '../auth/secrets.ts';
import type { Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { DEVICE_MAX_FAILURES, DEVICE_TTL_MS, FORGET_AFTER_MS, nextAttempt } from '../domain/login-throttle.ts';
import { deleteSession, insertSession } from '../store/credentials-repo.ts';
import { clearThrottle, deleteDevice, failDevice, findDevice, insertDevice, pruneThrottle, readThrottle, renewDevice, swapThrottle, type KnownDevice } from '../store/login-throttle-repo.ts';
import { newId } from '../store/new-id.ts';
import { findUserByEmail, normaliseEmail, type UserWithSecret } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';
import { revocationFeed } from './revocations.ts';

let decoyHash: Promise<string> | undefined;

/** Counts one attempt on `account`, or refuses it (LOGIN_THROTTLED) while its window is open. */
async function countAttempt(deps: AppDeps, account: string, now: number): Promise<void> {
  const db = deps.store.db;
  for (let round = 0; round < 8; round++) {
    const seen = await readThrottle(db, account);
    const step = nextAttempt(seen, now);
    if (step.refused) {
      const s = Math.max(1, Math.ceil(step.retryAfterMs / 1000));
      throw new DomainError('LOGIN_THROTTLED', `too many failed sign-ins for this account; try again in ${s} s (a browser that signed in to it before is not held back)`, { retry_after_s: s });
    }
    if (!seen) await pruneThrottle(db, now - FORGET_AFTER_MS);
    if (await swapThrottle(db, account, seen, step.next)) return;
  }
  // Many attempts at once on one account: this one waits its turn.
  throw new DomainError('LOGIN_THROTTLED', 'too many sign-ins for this account at once; try again in 1 s', { retry_after_s: 1 });
}

export interface PasswordCheck {
  email: string;
  user: UserWithSecret | undefined;
  password: string;
  /** The device cookie the request carried, if any. */
  deviceSecret?: string | undefined;
}

/**
 * Checks a password under the account throttle (sign-in, and the current password of a
 * password change). Throws LOGIN_THROTTLED or INVALID_CREDENTIALS; on success (from a browser
 * that is not a known device) the account's failures are forgotten; the known device (if the cookie named one of this user's) is returned.
 */
export async function verifyThrottled(deps: AppDeps, input: PasswordCheck): Promise<{ user: UserWithSecret; device: KnownDevice | undefined }> {
  const db = deps.store.db;
  const now = deps.clock.now();
  const account = normaliseEmail(input.email);
  const { user } = input;
  const known = input.deviceSecret && input.deviceSecret.length <= 200 ? await findDevice(db, digest(input.deviceSecret), now) : undefined;
  const device = known && user && known.userId === user.id ? known : undefined;
  if (!device) await countAttempt(deps, account, now);
  decoyHash ??= hashPassword('escalon-decoy-password');
  const ok = user?.passwordHash && user.active ? await verifyPassword(user.passwordHash, input.password) : (await verifyPassword(await decoyHash, input.password), false);
  if (!user || !ok) {
    if (device && (await failDevice(db, device.id)) >= DEVICE_MAX_FAILURES) await deleteDevice(db, device.id);
    throw new DomainError('INVALID_CREDENTIALS', 'wrong email or password', {});
  }
  // A success from an unknown browser resets the account's count. One from a known device does
  // not: it was never counted, and resetting would hand whoever is guessing five free tries.
  if (!device) await clearThrottle(db, account);
  return { user, device };
}

export interface LoginResult {
  actor: Actor;
  sessionSecret: string;
  expiresAt: number;
  /** The device cookie to (re)set: this browser is now known to the account. */
  device: { secret: string; expiresAt: number };
}

export async function login(deps: AppDeps, input: { email: string; password: string; deviceSecret?: string | undefined }, ttlMs: number): Promise<LoginResult> {
  const db = deps.store.db;
  const { user, device } = await verifyThrottled(deps, { email: input.email, user: await findUserByEmail(db, input.email), password: input.password, deviceSecret: input.deviceSecret });
  const at = deps.clock.now();
  const deviceExpiresAt = at + DEVICE_TTL_MS;
  let deviceSecret: string;
  if (device && input.deviceSecret) {
    deviceSecret = input.deviceSecret;
    await renewDevice(db, device.id, deviceExpiresAt);
  } else {
    deviceSecret = newSessionSecret();
    await insertDevice(db, { id: newId(at), digest: digest(deviceSecret), userId: user.id, createdAt: at, expiresAt: deviceExpiresAt });
  }
  const sessionSecret = newSessionSecret();
  const expiresAt = at + ttlMs;
  await insertSession(db, { id: newId(at), digest: digest(sessionSecret), userId: user.id, createdAt: at, expiresAt });
  return {
    actor: { userId: user.id, email: user.email, name: user.name, role: user.role, organizationId: user.organizationId },
    sessionSecret,
    expiresAt,
    device: { secret: deviceSecret, expiresAt: deviceExpiresAt },
  };
}

/** Ends the session; a stream it opened in this process closes at once. */
export async function logout(deps: AppDeps, sessionSecret: string): Promise<void> {
  const d = digest(sessionSecret);
  await deleteSession(deps.store.db, d);
  revocationFeed.publish({ credentialDigest: d });
}
