/**
 * Opens the database named by a URL: `sqlite:PATH` (better-sqlite3, the embedded default) or
 * `postgres://…` (a pg Pool). Both come back as the same Kysely<Database>, so every query
 * above this file has one code path.
 *
 * SQLite settings: WAL with synchronous=FULL (an acknowledged commit survives power loss),
 * foreign keys on, and a busy timeout so a CLI command beside a running server waits rather
 * than failing. Transactions begin IMMEDIATE: a deferred one starts as a reader and, when it
 * first writes after another process committed, fails at once with SQLITE_BUSY — the busy
 * timeout does not apply to that upgrade. Taking the write lock at BEGIN waits instead. PostgreSQL returns int8 as strings by default; we parse them to numbers
 * (epoch milliseconds and counters stay far below 2^53).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import { CHANGES_CHANNEL, ChangeWatch } from './change-watch.ts';
import { pgListener, type PgListener } from './pg-notify.ts';
import type { Database } from './schema.ts';
import { NotifyingPostgresDialect } from './ticket-notify.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /**
   * PostgreSQL: the process's one LISTEN connection for this store (pg-notify.ts), started at
   * the first call and shared by everything that listens (the change watch, the live-update
   * feed); closed with the store. Absent on SQLite.
   */
  readonly listener?: () => PgListener;
  close(): Promise<void>;
}

export function dialectOf(url: string): Dialect {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  throw new Error(`unsupported database URL '${url}': use sqlite:PATH or postgres://…`);
}

/** The busy timeout: how long a statement waits for another process's write lock. */
const BUSY_TIMEOUT_MS = 15_000;

/** Applies the durability and concurrency settings to a better-sqlite3 handle (also used by the bench baseline). */
export function tuneSqlite(handle: SqliteDatabase.Database): void {
  handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = FULL');
  handle.pragma('foreign_keys = ON');
  handle.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Kysely's SQLite dialect with every transaction taking the write lock at BEGIN. */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

const STATEMENT_CACHE = 500;

/**
 * Kysely prepares every query anew; on SQLite that is a sixth of the CPU of a timer firing.
 * The same SQL text gets the same prepared statement back (a bounded map, oldest dropped).
 * Safe because every statement runs to completion synchronously (`all` / `run`).
 */
function cachingStatements(handle: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => handle.close(),
    prepare: (text: string) => {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = handle.prepare(text);
        if (cache.size >= STATEMENT_CACHE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

function openSqlite(url: string): Store {
  const path = url.slice('sqlite:'.length);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const handle = new SqliteDatabase(path);
  tuneSqlite(handle);
  // Another process's commit (the CLI beside the server) moves data_version; ours never do.
  const dataVersion = handle.prepare('pragma data_version').pluck();
  let seen: unknown = dataVersion.get();
  const watch = new ChangeWatch({
    externalChange: () => {
      let now: unknown;
      try {
        now = dataVersion.get();
      } catch {
        return true;
      }
      if (now === seen) return false;
      seen = now;
      return true;
    },
  });
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cachingStatements(handle) }), plugins: [watch.plugin] });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** PostgreSQL: how long a topic this process wrote stays uncached (its transaction commits meanwhile; the notification follows). */
const SETTLE_MS = 1_000;

const INT8 = 20;
const NUMERIC = 1700;

function openPostgres(url: string, max: number): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === INT8) return (v: string) => Number(v);
        if (oid === NUMERIC) return (v: string) => Number(v);
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  // Nor a checked-out one: the pool listens for errors on idle clients only, and a client whose
  // connection breaks while it is checked out but between queries (a transaction's client while
  // the batch computes, a PostgreSQL restart, a network cut) emitted 'error' with no listener —
  // the whole node exited (issue 16's fault tests). Its current or next query fails instead, and
  // the pool discards it when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  // One LISTEN connection, started at the first use (commands that never cache nor stream open
  // none): cache invalidation across nodes (change-watch.ts) and live updates (app/change-feed.ts).
  let listener: PgListener | null = null;
  let closed = false;
  const shared = (): PgListener => {
    if (!listener) {
      listener = pgListener(url);
      listener.on(CHANGES_CHANNEL, (table) => watch.tableChanged(table));
      listener.onConnect(() => watch.changed('all'));
    }
    return listener;
  };
  const watch = new ChangeWatch({
    settleMs: SETTLE_MS,
    connected: () => !closed && shared().connected,
  });
  // The dialect's COMMIT carries the transaction's ticket notifications (ticket-notify.ts).
  const db = new Kysely<Database>({ dialect: new NotifyingPostgresDialect({ pool }), plugins: [watch.plugin] });
  return {
    db,
    dialect: 'postgres',
    listener: shared,
    close: async () => {
      closed = true;
      await listener?.close();
      await db.destroy();
    },
  };
}

export function openStore(url: string, options: { poolSize?: number } = {}): Store {
  return dialectOf(url) === 'sqlite' ? openSqlite(url) : openPostgres(url, options.poolSize ?? 10);
}

/** True when the database answers a trivial query (readiness). */
export async function ping(store: Store): Promise<boolean> {
  try {
    await sql`select 1`.execute(store.db);
    return true;
  } catch {
    return false;
  }
}
