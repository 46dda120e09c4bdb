/**
 * One store suite, every dialect. `describeStores(title, body)` runs `body` twice: on a fresh
 * SQLite file in a temp directory, and on a fresh PostgreSQL database created for this test
 * file from a migrated template (`escalon_tpl_<hash of the migrations>`, made once under an
 * advisory lock) and dropped at the end.
 *
 * When PostgreSQL is unreachable, its suites are skipped with the reason printed — unless
 * ESCALON_REQUIRE_ALL_SUITES=1 (CI), where that is a failure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openStore, type Dialect, type Store } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';

export const ADMIN_URL = process.env.ESCALON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRED = process.env.ESCALON_REQUIRE_ALL_SUITES === '1';

function urlFor(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return `PostgreSQL at ${ADMIN_URL} is unreachable (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const pgUnavailable: string | null = await probe();
if (pgUnavailable && !REQUIRED) console.warn(`[escalon tests] skipping PostgreSQL suites: ${pgUnavailable}`);

const templateName = `escalon_tpl_${createHash('sha256')
  .update(Object.entries(MIGRATIONS).map(([k, f]) => k + f.toString()).join('\n'))
  .digest('hex')
  .slice(0, 12)}`;

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a migrated PostgreSQL database for one test file; returns its URL. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `escalon_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (c) => {
    await c.query('select pg_advisory_lock(727272)');
    try {
      const found = await c.query('select 1 from pg_database where datname = $1', [templateName]);
      if (found.rowCount === 0) {
        await c.query(`create database ${templateName}`);
        const tpl = openStore(urlFor(templateName), { poolSize: 1 });
        try {
          await migrateToLatest(tpl);
        } catch (err) {
          await tpl.close();
          await c.query(`drop database if exists ${templateName}`);
          throw err;
        }
        await tpl.close();
      }
      await c.query(`create database ${name} template ${templateName}`);
    } finally {
      await c.query('select pg_advisory_unlock(727272)');
    }
  });
  return {
    url: urlFor(name),
    drop: () => withAdmin(async (c) => void (await c.query(`drop database if exists ${name} with (force)`))),
  };
}

/** A migrated SQLite database in a fresh temp directory. */
export async function createSqliteDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'escalon-test-'));
  const url = `sqlite:${join(dir, 'test.db')}`;
  const store = openStore(url);
  await migrateToLatest(store);
  await store.close();
  return { url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StoreContext {
  /** The store of the current dialect; valid inside tests and hooks. */
  readonly store: Store;
  readonly dialect: Dialect;
  readonly url: string;
}

/** Runs the same suite on SQLite and PostgreSQL. */
export function describeStores(title: string, body: (ctx: StoreContext) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const unavailable = dialect === 'postgres' ? pgUnavailable : null;
    if (unavailable && REQUIRED) {
      describe(`${title} [${dialect}]`, () => {
        it('needs PostgreSQL (ESCALON_REQUIRE_ALL_SUITES=1)', () => {
          throw new Error(unavailable);
        });
      });
      continue;
    }
    describe.skipIf(unavailable !== null)(`${title} [${dialect}]`, () => {
      let store: Store | undefined;
      let url = '';
      let drop: () => Promise<void> = async () => undefined;
      const ctx: StoreContext = {
        get store() {
          if (!store) throw new Error('store not open yet: use ctx.store inside tests or hooks');
          return store;
        },
        dialect,
        get url() {
          return url;
        },
      };
      beforeAll(async () => {
        const created = dialect === 'sqlite' ? await createSqliteDatabase() : await createPostgresDatabase();
        url = created.url;
        drop = created.drop;
        store = openStore(url, { poolSize: 4 });
      });
      afterAll(async () => {
        await store?.close();
        await drop();
      });
      body(ctx);
    });
  }
}

/**
 * A PostgreSQL-only suite: registered only when PostgreSQL answers (nothing skipped); under
 * ESCALON_REQUIRE_ALL_SUITES=1 (CI) an unreachable server is one failing test instead.
 */
export function describePostgres(title: string, body: () => void): void {
  if (pgUnavailable === null) describe(`${title} [postgres]`, body);
  else if (REQUIRED) {
    const why = pgUnavailable;
    describe(`${title} [postgres]`, () => {
      it('needs PostgreSQL (ESCALON_REQUIRE_ALL_SUITES=1)', () => {
        throw new Error(why);
      });
    });
  }
}
