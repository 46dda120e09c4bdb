/**
 * Runs the bundled migrations forward with Kysely's Migrator, which records each applied one
 * in `schema_migrations` and takes a lock so two processes never migrate at once.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';
import type { Store } from './connect.ts';

export interface MigrateResult {
  applied: string[];
}

export async function migrateToLatest(store: Store): Promise<MigrateResult> {
  const provider: MigrationProvider = {
    getMigrations: () => {
      const out: Record<string, Migration> = {};
      for (const [name, up] of Object.entries(MIGRATIONS)) {
        out[name] = { up: (db: Kysely<unknown>) => up(db, store.dialect) };
      }
      return Promise.resolve(out);
    },
  };
  const migrator = new Migrator({
    db: store.db,
    provider,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const what = failed ? `migration ${failed.migrationName} failed` : 'migration failed';
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Names of bundled migrations not yet applied to this database. */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => Object.fromEntries(Object.keys(MIGRATIONS).map((k) => [k, { up: async () => undefined }])) },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
