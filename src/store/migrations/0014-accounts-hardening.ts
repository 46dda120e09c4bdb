/**
 * Account hardening (issue 12, findings 7 and 9). `api_tokens.revoked_reason` records why a
 * token stopped working (revoked by an admin, the owner's password changed or was reset, the
 * owner deactivated). `login_throttle` counts failed sign-ins per account (the lower-cased
 * email, known or not) so the back-off holds across server nodes. `login_devices` are the
 * browsers that signed in to an account successfully before (OWASP's "device cookie"): they
 * bypass the account throttle, so an attacker guessing passwords cannot lock the owner out.
 * Forward only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('revoked_reason', 'text').execute();
  await db.schema
    .createTable('login_throttle')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failed_at', 'bigint', (c) => c.notNull())
    .addColumn('blocked_until', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_throttle_last').on('login_throttle').column('last_failed_at').execute();
  await db.schema
    .createTable('login_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('digest', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_devices_user').on('login_devices').column('user_id').execute();
}
