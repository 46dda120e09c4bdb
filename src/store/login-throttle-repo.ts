/**
 * Failed sign-ins per account (`login_throttle`) and known devices (`login_devices`), migration
 * 0014. A throttle row changes only by compare-and-set on its failure count, so concurrent
 * attempts on one account (on any node) are counted one by one and cannot slip through a
 * window together.
 */
import type { Kysely } from 'kysely';
import type { ThrottleState } from '../domain/login-throttle.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export async function readThrottle(db: Db, account: string): Promise<ThrottleState | undefined> {
  const r = await db.selectFrom('login_throttle').selectAll().where('account', '=', account).executeTakeFirst();
  return r ? { failures: Number(r.failures), lastFailedAt: Number(r.last_failed_at), blockedUntil: Number(r.blocked_until) } : undefined;
}

/** Writes `next` if the row is still `seen` (undefined: no row yet); false when another attempt got there first. */
export async function swapThrottle(db: Db, account: string, seen: ThrottleState | undefined, next: ThrottleState): Promise<boolean> {
  const values = { failures: next.failures, last_failed_at: next.lastFailedAt, blocked_until: next.blockedUntil };
  if (!seen) {
    const r = await db
      .insertInto('login_throttle')
      .values({ account, ...values })
      .onConflict((oc) => oc.column('account').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
  const r = await db
    .updateTable('login_throttle')
    .set(values)
    .where('account', '=', account)
    .where('failures', '=', seen.failures)
    .where('last_failed_at', '=', seen.lastFailedAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function clearThrottle(db: Db, account: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('account', '=', account).execute();
}

/** Drops rows of accounts quiet since `before` (they count as never failed anyway). */
export async function pruneThrottle(db: Db, before: number): Promise<void> {
  await db.deleteFrom('login_throttle').where('last_failed_at', '<', before).execute();
}

export interface KnownDevice {
  id: string;
  userId: string;
  failures: number;
}

export async function findDevice(db: Db, digest: string, now: number): Promise<KnownDevice | undefined> {
  const r = await db.selectFrom('login_devices').select(['id', 'user_id', 'failures']).where('digest', '=', digest).where('expires_at', '>', now).executeTakeFirst();
  return r ? { id: r.id, userId: r.user_id, failures: Number(r.failures) } : undefined;
}

export async function insertDevice(db: Db, d: { id: string; digest: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
  await db.deleteFrom('login_devices').where('user_id', '=', d.userId).where('expires_at', '<=', d.createdAt).execute();
  await db.insertInto('login_devices').values({ id: d.id, digest: d.digest, user_id: d.userId, failures: 0, created_at: d.createdAt, expires_at: d.expiresAt }).execute();
}

/** A successful sign-in on a known device: its failures reset, its life extended. */
export async function renewDevice(db: Db, id: string, expiresAt: number): Promise<void> {
  await db.updateTable('login_devices').set({ failures: 0, expires_at: expiresAt }).where('id', '=', id).execute();
}

/** One more wrong password on a known device; returns the new count. */
export async function failDevice(db: Db, id: string): Promise<number> {
  await db.updateTable('login_devices').set((eb) => ({ failures: eb('failures', '+', 1) })).where('id', '=', id).execute();
  const r = await db.selectFrom('login_devices').select('failures').where('id', '=', id).executeTakeFirst();
  return Number(r?.failures ?? 0);
}

export async function deleteDevice(db: Db, id: string): Promise<void> {
  await db.deleteFrom('login_devices').where('id', '=', id).execute();
}

export async function deleteUserDevices(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('login_devices').where('user_id', '=', userId).execute();
}
