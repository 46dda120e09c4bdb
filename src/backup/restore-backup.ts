/**
 * `escalon restore FILE` and `escalon backup --verify FILE`.
 *
 * Nothing is applied before everything is checked: the whole archive is first unpacked into a
 * staging directory, each part hashed and compared with the manifest (written last, so a
 * truncated file has none), the database part checked (SQLite: integrity_check and its
 * schema_migrations equal to the manifest's; PostgreSQL: pg_restore can list it). Only then:
 *   1. the attachment files are moved into ESCALON_ATTACHMENTS_DIR (content-addressed: a file
 *      already there is the same bytes and is kept), so the database never names a missing file;
 *   2. the database is written in one transaction — SQLite: the online backup API into the
 *      target; PostgreSQL: pg_restore's script through `psql --single-transaction` (with
 *      --force, the schema is dropped and recreated inside that same transaction).
 * A failure at 2 leaves the target database as it was (and some unreferenced files, harmless).
 *
 * The target must be empty (no tables) unless --force. The restored database is at the backup's
 * migration level: older than this release → `escalon migrate` (serve on SQLite does it at start);
 * a backup with migrations this release does not know (made by a newer release) is refused.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Config } from '../config.ts';
import { fileProblem } from '../file-problem.ts';
import { MIGRATIONS } from '../store/migrations/index.ts';
import { ArchiveError, readTar } from './tar.ts';
import { ATTACHMENT_PART, BACKUP_FORMAT, BACKUP_VERSION, BackupError, DATABASE_PART, manifestSchema, type Manifest } from './manifest.ts';
import { DEFAULT_PG_TOOLS, pgConnection, run, type PgTools } from './pg-tools.ts';
import { sqlitePath } from './create-backup.ts';

export interface StagedBackup {
  manifest: Manifest;
  /** The staged database part. */
  database: string;
  /** Staged attachment files by SHA-256. */
  attachments: Map<string, string>;
}

const MANIFEST_LIMIT = 64 * 1024 * 1024;

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Unpacks and checks a backup into `stage` (an empty directory). Throws BackupError on any problem. */
export async function stageBackup(file: string, stage: string, tools: PgTools = DEFAULT_PG_TOOLS): Promise<StagedBackup> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (err) {
    throw new BackupError(`cannot read ${file}: ${fileProblem(err)}`);
  }
  const seen = new Map<string, { size: number; sha256: string; path: string }>();
  let manifestText: string | undefined;
  let entryNo = 0;
  await mkdir(join(stage, 'a'), { recursive: true });
  const gz = await isGzip(file);
  const source = createReadStream(file);
  const input = gz ? source.pipe(createGunzip()) : source;
  if (gz) source.on('error', (e) => input.destroy(e));
  try {
    await readTar(input as AsyncIterable<Buffer>, async (entry, content) => {
      entryNo++;
      if (seen.has(entry.name) || (entry.name === 'manifest.json' && manifestText !== undefined)) throw new BackupError(`damaged backup: entry '${entry.name}' appears twice`);
      if (entry.name === 'manifest.json') {
        if (entry.size > MANIFEST_LIMIT) throw new BackupError('damaged backup: manifest.json is implausibly large');
        const chunks: Buffer[] = [];
        for await (const c of content) chunks.push(c);
        manifestText = Buffer.concat(chunks).toString('utf8');
        return;
      }
      if (manifestText !== undefined) throw new BackupError(`damaged backup: entry '${entry.name}' follows the manifest (the manifest is always last)`);
      let path: string;
      const m = ATTACHMENT_PART.exec(entry.name);
      if (m) path = join(stage, 'a', m[2] as string);
      else if (entry.name === DATABASE_PART.sqlite || entry.name === DATABASE_PART.postgres) path = join(stage, entry.name);
      else throw new BackupError(`not an Escalon backup, or a damaged one: unexpected entry '${entry.name}' (entry ${entryNo})`);
      const hash = createHash('sha256');
      const sink = createWriteStream(path);
      await pipeline(
        content,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const c of chunks) {
            hash.update(c);
            yield c;
          }
        },
        sink,
      );
      seen.set(entry.name, { size: entry.size, sha256: hash.digest('hex'), path });
    });
  } catch (err) {
    if (err instanceof BackupError) throw err;
    if (err instanceof ArchiveError) throw new BackupError(`${file}: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) throw new BackupError(`${file}: damaged or truncated gzip data (${(err as Error).message})`);
    throw err;
  }
  if (manifestText === undefined) throw new BackupError(`${file}: no manifest: the backup is incomplete (truncated while it was written or copied?)`);
  let manifest: Manifest;
  try {
    const raw = JSON.parse(manifestText) as { format?: unknown; version?: unknown };
    if (raw?.format === BACKUP_FORMAT && typeof raw.version === 'number' && raw.version > BACKUP_VERSION) {
      throw new BackupError(`${file} is in backup format version ${raw.version}, made by a newer Escalon; this release reads version ${BACKUP_VERSION}: restore it with the release that made it`);
    }
    manifest = manifestSchema.parse(raw);
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`${file}: damaged manifest (${err instanceof SyntaxError ? err.message : 'not an Escalon backup manifest'})`);
  }
  const dbName = DATABASE_PART[manifest.dialect];
  for (const p of manifest.parts) {
    const got = seen.get(p.name);
    if (!got) throw new BackupError(`${file}: damaged backup: part '${p.name}' listed in the manifest is missing`);
    if (got.size !== p.size || got.sha256 !== p.sha256) throw new BackupError(`${file}: damaged backup: part '${p.name}' does not match its checksum in the manifest (SHA-256 ${got.sha256}, expected ${p.sha256})`);
  }
  const listed = new Set(manifest.parts.map((p) => p.name));
  for (const name of seen.keys()) if (!listed.has(name)) throw new BackupError(`${file}: damaged backup: entry '${name}' is not in the manifest`);
  const database = seen.get(dbName);
  if (!database) throw new BackupError(`${file}: damaged backup: no ${dbName} for its ${manifest.dialect} dialect`);
  const attachments = new Map<string, string>();
  let bytes = 0;
  for (const [name, e] of seen) {
    const m = ATTACHMENT_PART.exec(name);
    if (!m) continue;
    if (e.sha256 !== m[2] || m[1] !== m[2]?.slice(0, 2)) throw new BackupError(`${file}: damaged backup: attachment '${name}' does not hold the content its name promises`);
    attachments.set(e.sha256, e.path);
    bytes += e.size;
  }
  if (attachments.size !== manifest.attachments.count || bytes !== manifest.attachments.bytes) throw new BackupError(`${file}: damaged backup: ${attachments.size} attachment files (${bytes} bytes), the manifest says ${manifest.attachments.count} (${manifest.attachments.bytes} bytes)`);

  if (manifest.dialect === 'sqlite') {
    let handle: SqliteDatabase.Database | undefined;
    try {
      handle = new SqliteDatabase(database.path, { readonly: true, fileMustExist: true });
      const check = handle.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new BackupError(`${file}: the database in the backup fails SQLite's integrity check: ${String(check)}`);
      const names = handle.prepare('select name from schema_migrations order by name').pluck().all() as string[];
      if (names.join('\n') !== manifest.migrations.join('\n')) throw new BackupError(`${file}: damaged backup: the database's migrations differ from the manifest's`);
    } catch (err) {
      if (err instanceof BackupError) throw err;
      throw new BackupError(`${file}: the database in the backup cannot be read: ${(err as Error).message}`);
    } finally {
      handle?.close();
    }
  } else {
    await run(tools.pgRestore, ['--list', database.path], process.env, 'pg_restore', '--pg-restore').catch((err: Error) => {
      throw new BackupError(`${file}: the PostgreSQL dump in the backup cannot be read: ${err.message}`);
    });
  }
  return { manifest, database: database.path, attachments };
}

/** The dialect of a backup, from its first entry's name (cheap: one tar header), or null if it does not say. */
export async function peekDialect(file: string): Promise<'sqlite' | 'postgres' | null> {
  let found: 'sqlite' | 'postgres' | null = null;
  const stop = new Error('enough');
  const source = createReadStream(file, { end: 64 * 1024 });
  const input = (await isGzip(file)) ? source.pipe(createGunzip()) : source;
  input.on('error', () => undefined);
  try {
    await readTar(input as AsyncIterable<Buffer>, async (entry) => {
      if (entry.name === DATABASE_PART.sqlite) found = 'sqlite';
      if (entry.name === DATABASE_PART.postgres) found = 'postgres';
      throw stop;
    });
  } catch {
    // a damaged file: the full check says how
  } finally {
    source.destroy();
  }
  return found;
}

function wrongDialect(file: string, backup: 'sqlite' | 'postgres', target: 'sqlite' | 'postgres'): BackupError {
  return new BackupError(
    `${file} holds a ${backup === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database; ESCALON_DATABASE_URL names ${target === 'sqlite' ? 'SQLite' : 'PostgreSQL'}. ` +
      `Restore it into ${backup === 'sqlite' ? 'sqlite:PATH' : 'a postgres:// database'} (a backup is restored into the kind of database it was taken from)`,
  );
}

export interface VerifySummary {
  manifest: Manifest;
}

/** Reads and checks a whole backup file without restoring it. */
export async function verifyBackup(file: string, tools?: PgTools): Promise<VerifySummary> {
  const stage = await mkdtemp(join(tmpdir(), 'escalon-verify-'));
  try {
    const { manifest } = await stageBackup(file, stage, tools);
    return { manifest };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** The number of tables in the target, or null when it does not exist (SQLite). */
async function targetTables(config: Config): Promise<number | null> {
  if (config.database.dialect === 'sqlite') {
    const path = sqlitePath(config.database.url);
    if (!existsSync(path)) return null;
    const h = new SqliteDatabase(path, { fileMustExist: true });
    try {
      h.pragma('busy_timeout = 15000');
      return h.prepare("select count(*) from sqlite_master where type = 'table'").pluck().get() as number;
    } catch (err) {
      throw new BackupError(`the target ${path} is not a readable SQLite database (${(err as Error).message}); move it away or name another ESCALON_DATABASE_URL`);
    } finally {
      h.close();
    }
  }
  const client = new pg.Client({ connectionString: config.database.url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError(`cannot connect to the target database (ESCALON_DATABASE_URL): ${(err as Error).message}. Create it first (createdb NAME, or CREATE DATABASE)`);
  }
  try {
    const r = await client.query<{ n: string }>("select count(*) as n from information_schema.tables where table_schema = 'public'");
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface RestoreSummary {
  manifest: Manifest;
  attachmentsAdded: number;
  attachmentsPresent: number;
  /** Migrations of this release the restored database has not had yet. */
  pending: string[];
}

export async function restoreBackup(config: Config, file: string, opts: { force?: boolean; tools?: PgTools } = {}): Promise<RestoreSummary> {
  const tools = opts.tools ?? DEFAULT_PG_TOOLS;
  const target = config.database.dialect;
  try {
    await stat(file);
  } catch (err) {
    throw new BackupError(`cannot read ${file}: ${fileProblem(err)}`);
  }
  // Refuse the wrong kind of database or a non-empty target before unpacking anything (a large backup takes a while).
  const kind = await peekDialect(file);
  if (kind !== null && kind !== target) throw wrongDialect(file, kind, target);
  const tables = await targetTables(config);
  const nonEmpty = tables !== null && tables > 0;
  const where = target === 'sqlite' ? sqlitePath(config.database.url) : pgConnection(config.database.url).url;
  if (nonEmpty && !opts.force) {
    throw new BackupError(
      `the target database is not empty (${tables} tables in ${where}); restore refuses to overwrite it. ` +
        'Restore into a new database (another ESCALON_DATABASE_URL), or pass --force to replace its whole content (stop every `escalon serve` on it first)',
    );
  }
  const filesDir = resolve(config.attachments.dir);
  await mkdir(join(filesDir, 'tmp'), { recursive: true }).catch((err) => {
    throw new BackupError(`cannot create the attachment store ${filesDir} (ESCALON_ATTACHMENTS_DIR): ${fileProblem(err)}`);
  });
  // Staged beside the attachment store, so files move into place by rename.
  const stage = join(filesDir, 'tmp', `restore-${randomUUID()}`);
  try {
    const staged = await stageBackup(file, stage, tools);
    const m = staged.manifest;
    if (m.dialect !== target) throw wrongDialect(file, m.dialect, target);
    const unknown = m.migrations.filter((n) => !Object.hasOwn(MIGRATIONS, n));
    if (unknown.length) {
      throw new BackupError(
        `${file} was taken from a database migrated by a newer Escalon (migrations this release does not know: ${unknown.join(', ')}; backup made by ${m.escalon_version}). ` +
          'Restore it with that release or a newer one',
      );
    }
    // 1. attachments (content-addressed: identical files already present are kept).
    let added = 0;
    let present = 0;
    for (const [sha, path] of staged.attachments) {
      const shard = join(filesDir, sha.slice(0, 2));
      const dest = join(shard, sha);
      if (existsSync(dest)) {
        present++;
        continue;
      }
      await mkdir(shard, { recursive: true });
      await rename(path, dest);
      added++;
    }
    // 2. the database, in one transaction.
    if (target === 'sqlite') await restoreSqlite(staged.database, sqlitePath(config.database.url));
    else await restorePostgres(staged.database, config.database.url, nonEmpty, tools);
    const known = Object.keys(MIGRATIONS);
    return { manifest: m, attachmentsAdded: added, attachmentsPresent: present, pending: known.filter((n) => !m.migrations.includes(n)) };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function restoreSqlite(staged: string, path: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  const source = new SqliteDatabase(staged, { readonly: true, fileMustExist: true });
  try {
    // The backup API writes the target's pages in one write transaction (all pages in one step):
    // a crash midway rolls back to the target's previous content.
    await source.backup(path, { progress: () => 0x7fffffff });
  } catch (err) {
    throw new BackupError(`cannot write the database ${path}: ${(err as Error).message}`);
  } finally {
    source.close();
  }
  const h = new SqliteDatabase(path, { fileMustExist: true });
  try {
    h.pragma('journal_mode = WAL');
  } finally {
    h.close();
  }
}

async function restorePostgres(staged: string, url: string, replace: boolean, tools: PgTools): Promise<void> {
  const conn = pgConnection(url);
  // pg_restore writes the dump as an SQL script (complete, or the restore stops here); psql runs
  // it as ONE transaction, stopping at the first error (with --force, the old schema is dropped
  // inside that same transaction).
  const script = `${staged}.sql`;
  await run(tools.pgRestore, ['--no-owner', '--no-privileges', `--file=${script}`, staged], conn.env, 'pg_restore', '--pg-restore');
  const psqlArgs = ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', '--single-transaction', `--dbname=${conn.url}`];
  if (replace) psqlArgs.push('--command=drop schema public cascade; create schema public;');
  psqlArgs.push(`--file=${script}`);
  await run(tools.psql, psqlArgs, conn.env, 'psql', '--psql').catch((err: Error) => {
    throw new BackupError(`the restore was rolled back, the database is as it was: ${err.message}`);
  });
}
