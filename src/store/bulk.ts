/**
 * Set-based writes in as few statements as the dialect allows, as raw SQL with fixed text
 * (no query-builder compilation per call; the same text reuses its prepared statement on SQLite,
 * store/connect.ts):
 *   - PostgreSQL: one statement per call, every column passed as one array and spread by
 *     `unnest` (`insert … select * from unnest($1::text[], …)`, `update … from unnest(…)`,
 *     `… = any($1::text[])`), so a batch of any size is one round trip;
 *   - SQLite: multi-row VALUES in chunks of 256 rows, then powers of two (at most nine texts per
 *     table, each prepared once), and id lists passed as one JSON array (`json_each`).
 * Table and column names come from this code only, never from input.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Dialect } from './connect.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export type PgType = 'text' | 'int8' | 'float8';
export interface Column {
  name: string;
  pg: PgType;
}

const SQLITE_CHUNK = 256;
const PG_CHUNK = 10_000;

function sqliteChunk(remaining: number): number {
  if (remaining >= SQLITE_CHUNK) return SQLITE_CHUNK;
  let n = 1;
  while (n * 2 <= remaining) n *= 2;
  return n;
}

async function run(db: Db, text: string, params: readonly unknown[]): Promise<number> {
  const r = await db.executeQuery(CompiledQuery.raw(text, [...params]));
  return Number(r.numAffectedRows ?? 0);
}

/** Inserts `rows` (values in `columns` order). */
export async function bulkInsert(db: Db, dialect: Dialect, table: string, columns: readonly Column[], rows: ReadonlyArray<readonly unknown[]>): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map((c) => c.name).join(', ');
  if (dialect === 'postgres') {
    const text = `insert into ${table} (${names}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${c.pg}[]`).join(', ')})`;
    for (let i = 0; i < rows.length; i += PG_CHUNK) {
      const chunk = rows.slice(i, i + PG_CHUNK);
      await run(db, text, columns.map((_, j) => chunk.map((r) => r[j] ?? null)));
    }
    return;
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; ) {
    const n = sqliteChunk(rows.length - i);
    const params: unknown[] = [];
    for (let k = i; k < i + n; k++) for (const v of rows[k] ?? []) params.push(v ?? null);
    await run(db, `insert into ${table} (${names}) values ${new Array<string>(n).fill(tuple).join(', ')}`, params);
    i += n;
  }
}

/** Deletes the rows of `table` whose `column` is one of `ids`. */
export async function bulkDeleteIn(db: Db, dialect: Dialect, table: string, column: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  if (dialect === 'postgres') await run(db, `delete from ${table} where ${column} = any($1::text[])`, [ids]);
  else await run(db, `delete from ${table} where ${column} in (select value from json_each(?))`, [JSON.stringify(ids)]);
}

/**
 * PostgreSQL: updates many rows of `table` in one statement. Each row gives its key, the value
 * `guard` must still hold (null: no guard) and the new values of `columns`. Returns the number
 * of rows updated.
 */
export async function pgBulkUpdate(
  db: Db,
  table: string,
  key: string,
  guard: Column | null,
  columns: readonly Column[],
  rows: ReadonlyArray<{ key: string; guard: unknown; values: readonly unknown[] }>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const all: Column[] = [{ name: key, pg: 'text' }, ...(guard ? [{ name: `guard_${guard.name}`, pg: guard.pg }] : []), ...columns];
  const text =
    `update ${table} as t set ${columns.map((c) => `${c.name} = v.${c.name}`).join(', ')} ` +
    `from unnest(${all.map((c, i) => `$${i + 1}::${c.pg}[]`).join(', ')}) as v(${all.map((c) => c.name).join(', ')}) ` +
    `where t.${key} = v.${key}${guard ? ` and t.${guard.name} = v.guard_${guard.name}` : ''}`;
  let updated = 0;
  for (let i = 0; i < rows.length; i += PG_CHUNK) {
    const chunk = rows.slice(i, i + PG_CHUNK);
    const params: unknown[] = [chunk.map((r) => r.key)];
    if (guard) params.push(chunk.map((r) => r.guard));
    columns.forEach((_, j) => params.push(chunk.map((r) => r.values[j] ?? null)));
    updated += await run(db, text, params);
  }
  return updated;
}

/** SQLite: one row's update by key (the text depends only on the column names, so it is prepared once per shape). */
export async function sqliteUpdateRow(db: Db, table: string, key: string, keyValue: string, guard: { name: string; value: unknown } | null, values: ReadonlyArray<[string, unknown]>): Promise<number> {
  const text = `update ${table} set ${values.map(([c]) => `${c} = ?`).join(', ')} where ${key} = ?${guard ? ` and ${guard.name} = ?` : ''}`;
  const params = [...values.map(([, v]) => v ?? null), keyValue, ...(guard ? [guard.value] : [])];
  return run(db, text, params);
}

/** Runs a raw statement and returns its rows (the hot reads of the timer path). */
export async function rawRows<R>(db: Db, text: string, params: readonly unknown[]): Promise<R[]> {
  const r = await db.executeQuery<R>(CompiledQuery.raw(text, [...params]));
  return r.rows;
}
