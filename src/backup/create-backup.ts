/**
 * `escalon backup`: one consistent copy of the database and of the attachment files it
 * references, in one file, while the server keeps running.
 *
 * Order matters. An attachment's bytes are stored (written to a temp file, flushed, renamed into
 * place) BEFORE the row naming them is inserted (app/attachments.ts storeAttachment,
 * prepareIncomingFiles), and files are never rewritten (content-addressed). So:
 *   1. snapshot the database — SQLite: better-sqlite3's online backup API in one step (a read
 *      transaction; in WAL mode the server keeps writing); PostgreSQL: a REPEATABLE READ
 *      transaction exports its snapshot, pg_dump dumps exactly that snapshot (--snapshot);
 *   2. list the attachments the SNAPSHOT references (read from the snapshot itself: the SQLite
 *      copy, or the PostgreSQL transaction that exported the snapshot) — every one of them was
 *      on disk before the snapshot was taken;
 *   3. copy those files, checking each one's SHA-256 against its name.
 * A file written after the snapshot is not referenced by it and not copied (harmless). The file is
 * written as `<out>.partial` and renamed when complete: a failed backup never leaves a file
 * under the name asked for.
 */
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdtemp, rename, rm, stat, unlink } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { finished as streamFinished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Config } from '../config.ts';
import { fileProblem } from '../file-problem.ts';
import { ArchiveError, TarWriter } from './tar.ts';
import { BACKUP_FORMAT, BACKUP_VERSION, BackupError, DATABASE_PART, attachmentPart, escalonVersion, type Manifest, type Part } from './manifest.ts';
import { DEFAULT_PG_TOOLS, finished, pgConnection, type PgTools } from './pg-tools.ts';

export interface BackupSummary {
  file: string;
  dialect: 'sqlite' | 'postgres';
  migrations: string[];
  databaseBytes: number;
  attachments: { count: number; bytes: number };
  bytes: number;
}

interface Snapshot {
  /** The staged database part. */
  path: string;
  migrations: string[];
  /** Distinct SHA-256 of every attachment row in the snapshot. */
  attachments: string[];
}

/** The SQLite path of a `sqlite:PATH` URL. */
export function sqlitePath(url: string): string {
  return url.slice('sqlite:'.length);
}

function readSnapshotRows(handle: SqliteDatabase.Database, where: string): { migrations: string[]; attachments: string[] } {
  const hasTable = (name: string) => handle.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
  if (!hasTable('schema_migrations')) throw new BackupError(`${where} is not an Escalon database (no schema_migrations table): run \`escalon migrate\` first, or check ESCALON_DATABASE_URL`);
  const migrations = (handle.prepare('select name from schema_migrations order by name').pluck().all() as string[]);
  const attachments = hasTable('attachments') ? (handle.prepare('select distinct sha256 from attachments order by sha256').pluck().all() as string[]) : [];
  return { migrations, attachments };
}

async function snapshotSqlite(url: string, work: string): Promise<Snapshot> {
  const path = sqlitePath(url);
  if (path === ':memory:') throw new BackupError('an in-memory database cannot be backed up');
  if (!existsSync(path)) throw new BackupError(`no database at ${path} (ESCALON_DATABASE_URL): nothing to back up`);
  const staged = join(work, DATABASE_PART.sqlite);
  const source = new SqliteDatabase(path, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 15000');
    // One step for all pages: a step reads under one read transaction (in WAL mode writers go on);
    // in several steps, another process's commit between them would restart the copy.
    await source.backup(staged, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  const copy = new SqliteDatabase(staged, { fileMustExist: true });
  try {
    // A self-contained file: no -wal beside it.
    copy.pragma('journal_mode = DELETE');
    return { path: staged, ...readSnapshotRows(copy, path) };
  } finally {
    copy.close();
  }
}

async function snapshotPostgres(url: string, work: string, tools: PgTools): Promise<Snapshot> {
  const staged = join(work, DATABASE_PART.postgres);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError(`cannot connect to the database (ESCALON_DATABASE_URL): ${(err as Error).message}`);
  }
  try {
    await client.query('begin isolation level repeatable read, read only');
    const snapshot = (await client.query<{ s: string }>('select pg_export_snapshot() as s')).rows[0]?.s ?? '';
    const has = async (t: string) => (await client.query('select 1 from information_schema.tables where table_schema = current_schema() and table_name = $1', [t])).rowCount !== 0;
    if (!(await has('schema_migrations'))) throw new BackupError('the database is not an Escalon database (no schema_migrations table): run `escalon migrate` first, or check ESCALON_DATABASE_URL');
    const migrations = (await client.query<{ name: string }>('select name from schema_migrations order by name')).rows.map((r) => r.name);
    const attachments = (await has('attachments')) ? (await client.query<{ sha256: string }>('select distinct sha256 from attachments order by sha256')).rows.map((r) => r.sha256) : [];
    // pg_dump reads the very snapshot this transaction holds (kept open until it is done).
    const conn = pgConnection(url);
    const child = spawn(tools.pgDump, ['--format=custom', `--snapshot=${snapshot}`, `--file=${staged}`, `--dbname=${conn.url}`], { env: conn.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const { code, stderr } = await finished(child, 'pg_dump', '--pg-dump');
    if (code !== 0) throw new BackupError(`pg_dump failed (exit ${code}): ${stderr || 'no message'}`);
    await client.query('commit');
    return { path: staged, migrations, attachments };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createBackup(config: Config, out: string, opts: { tools?: PgTools } = {}): Promise<BackupSummary> {
  const target = resolve(out);
  const dir = dirname(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BackupError(`cannot write ${out}: the directory ${dir} does not exist`);
  const work = await mkdtemp(join(dir, '.escalon-backup-'));
  const partial = `${target}.partial`;
  let output: Writable | undefined;
  let fileStream: Writable | undefined;
  try {
    const dialect = config.database.dialect;
    const snap = dialect === 'sqlite' ? await snapshotSqlite(config.database.url, work) : await snapshotPostgres(config.database.url, work, opts.tools ?? DEFAULT_PG_TOOLS);

    const file = createWriteStream(partial, { flush: true });
    fileStream = file;
    const opened = new Promise<void>((res, rej) => {
      file.once('open', () => res());
      file.once('error', rej);
    });
    await opened.catch((err) => {
      throw new BackupError(`cannot write ${partial}: ${fileProblem(err)}`);
    });
    const gz = /\.gz$/i.test(target) ? createGzip({ level: 6 }) : undefined;
    if (gz) gz.pipe(file);
    output = gz ?? file;
    const tar = new TarWriter(output);
    const parts: Part[] = [];

    const dbName = DATABASE_PART[dialect];
    const dbSize = (await stat(snap.path)).size;
    parts.push({ name: dbName, size: dbSize, sha256: await tar.add(dbName, dbSize, createReadStream(snap.path)) });

    let attachmentBytes = 0;
    for (const sha of snap.attachments) {
      const path = join(config.attachments.dir, sha.slice(0, 2), sha);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch (err) {
        throw new BackupError(
          `attachment ${sha} is referenced by the database but missing from the attachment store (ESCALON_ATTACHMENTS_DIR=${config.attachments.dir}: ${path}: ${fileProblem(err)}). ` +
            'Check that ESCALON_ATTACHMENTS_DIR is the directory the server uses; if the file was just erased, run the backup again.',
        );
      }
      const name = attachmentPart(sha);
      const got = await tar.add(name, size, createReadStream(path));
      if (got !== sha) throw new BackupError(`attachment file ${path} is damaged: its content's SHA-256 is ${got}, not its name; the backup was not written`);
      parts.push({ name, size, sha256: got });
      attachmentBytes += size;
    }

    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      created_at: new Date().toISOString(),
      escalon_version: escalonVersion(),
      dialect,
      migrations: snap.migrations,
      attachments: { count: snap.attachments.length, bytes: attachmentBytes },
      parts,
    };
    await tar.addBuffer('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    await tar.finish();
    output.end();
    await streamFinished(file);
    await rename(partial, target);
    return { file: target, dialect, migrations: snap.migrations, databaseBytes: dbSize, attachments: manifest.attachments, bytes: (await stat(target)).size };
  } catch (err) {
    output?.destroy();
    fileStream?.destroy();
    await unlink(partial).catch(() => undefined);
    if (err instanceof ArchiveError) throw new BackupError(err.message);
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
