/** Applied policy versions: append-only; the highest version is in force. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface StoredPolicy {
  version: number;
  source: string;
  format: 'yaml' | 'json';
  appliedAt: number;
  appliedBy: string;
  /** The version a rollback re-applied; null (or absent) for an ordinary apply. */
  rollbackOf?: number | null;
}

type PolicyRow = { version: number; source: string; format: string; applied_at: number; applied_by: string; rollback_of: number | null };

function toStored(row: PolicyRow): StoredPolicy {
  return {
    version: Number(row.version),
    source: row.source,
    format: row.format === 'json' ? 'json' : 'yaml',
    appliedAt: Number(row.applied_at),
    appliedBy: row.applied_by,
    rollbackOf: row.rollback_of === null ? null : Number(row.rollback_of),
  };
}

/** Every applied version, newest first (documents included: a history is tens of versions). */
export async function listPolicies(db: Kysely<Database>): Promise<StoredPolicy[]> {
  const rows = await db.selectFrom('policies').selectAll().orderBy('version', 'desc').execute();
  return rows.map(toStored);
}

export async function policyVersion(db: Kysely<Database>, version: number): Promise<StoredPolicy | undefined> {
  const row = await db.selectFrom('policies').selectAll().where('version', '=', version).executeTakeFirst();
  return row ? toStored(row) : undefined;
}

export async function latestPolicy(db: Kysely<Database>): Promise<StoredPolicy | undefined> {
  const row = await db.selectFrom('policies').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? toStored(row) : undefined;
}

export async function latestPolicyVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('policies').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? Number(row.version) : 0;
}

export async function insertPolicy(db: Kysely<Database>, p: StoredPolicy): Promise<void> {
  await db
    .insertInto('policies')
    .values({ version: p.version, source: p.source, format: p.format, applied_at: p.appliedAt, applied_by: p.appliedBy, rollback_of: p.rollbackOf ?? null })
    .execute();
}
