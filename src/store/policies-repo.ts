/** Applied policy versions: append-only; the highest version is in force. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface StoredPolicy {
  version: number;
  source: string;
  format: 'yaml' | 'json';
  appliedAt: number;
  appliedBy: string;
}

export async function latestPolicy(db: Kysely<Database>): Promise<StoredPolicy | undefined> {
  const row = await db.selectFrom('policies').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row
    ? { version: Number(row.version), source: row.source, format: row.format === 'json' ? 'json' : 'yaml', appliedAt: Number(row.applied_at), appliedBy: row.applied_by }
    : undefined;
}

export async function latestPolicyVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('policies').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? Number(row.version) : 0;
}

export async function insertPolicy(db: Kysely<Database>, p: StoredPolicy): Promise<void> {
  await db
    .insertInto('policies')
    .values({ version: p.version, source: p.source, format: p.format, applied_at: p.appliedAt, applied_by: p.appliedBy })
    .execute();
}
