/**
 * `escalon backup` / `escalon restore` (issue 16, item 3) on both databases: a round trip with
 * attachments, --verify, and the refusals — a missing, corrupt, truncated or foreign file, the
 * wrong kind of database, a non-empty target (then --force), a backup from a newer release, a
 * backup at an older migration level. A refusal never leaves a half-restored target.
 * (The backup taken under load: backup-under-load.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uploadAttachment } from '../../src/app/attachments.ts';
import { register as registerBackup } from '../../src/cli/backup.ts';
import { register as registerRestore } from '../../src/cli/restore.ts';
import { register as registerMigrate } from '../../src/cli/migrate.ts';
import { diskByteStore } from '../../src/store/byte-store.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { ADMIN_URL, describeStores, pgUnavailable } from '../helpers/db.ts';
import { depsFor, makeCast } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';

const hasPgTools = spawnSync('pg_dump', ['--version']).status === 0 && spawnSync('psql', ['--version']).status === 0;
const pgReady = pgUnavailable === null && hasPgTools;
const REQUIRED = process.env.ESCALON_REQUIRE_ALL_SUITES === '1';

const dirs: string[] = [];
const databases: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'escalon-bk-test-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (databases.length === 0) return;
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  for (const name of databases) await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
});

/** An empty database of the dialect (SQLite: a path not yet created). */
async function emptyTarget(dialect: 'sqlite' | 'postgres'): Promise<string> {
  if (dialect === 'sqlite') return `sqlite:${join(tempDir(), 'restored.db')}`;
  const name = `escalon_test_bk_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  databases.push(name);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs the commands in this process with the attachment store named. */
async function cli(url: string, filesDir: string, args: string[]) {
  const saved = process.env.ESCALON_ATTACHMENTS_DIR;
  process.env.ESCALON_ATTACHMENTS_DIR = filesDir;
  try {
    return await runCli([registerBackup, registerRestore, registerMigrate], args, url);
  } finally {
    if (saved === undefined) delete process.env.ESCALON_ATTACHMENTS_DIR;
    else process.env.ESCALON_ATTACHMENTS_DIR = saved;
  }
}

async function tableCount(url: string): Promise<number> {
  if (url.startsWith('sqlite:')) {
    if (!existsSync(url.slice(7))) return 0;
  }
  const store = openStore(url, { poolSize: 1 });
  try {
    const q = store.dialect === 'sqlite' ? sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table'` : sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
    return Number((await q.execute(store.db)).rows[0]?.n ?? 0);
  } finally {
    await store.close();
  }
}

/** Attachment files in a store directory (its tmp/ excluded). */
function storedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => d !== 'tmp')
    .flatMap((d) => readdirSync(join(dir, d)))
    .sort();
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function suite(dialect: 'sqlite' | 'postgres', ctx: { readonly store: Store; readonly url: string }) {
  let files = '';
  let backupFile = '';
  const contents = [randomBytes(70_000), randomBytes(3000)];
  let userCount = 0;

  beforeAll(async () => {
    files = join(tempDir(), 'files');
    const deps = { ...depsFor(ctx.store), files: diskByteStore(files), attachmentLimit: 1024 * 1024 };
    const cast = await makeCast(deps);
    // Three uploads, two with the same bytes: two files in the store.
    for (const c of [contents[0], contents[1], contents[0]] as Buffer[]) await uploadAttachment(deps, cast.actors.agent, { filename: 'f.bin', content: Readable.from([c]) });
    // An unreferenced file in the store (an upload whose row never committed): not in the backup.
    writeFileSync(join(files, 'tmp', 'stray.part'), 'x');
    userCount = Number((await ctx.store.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    backupFile = join(tempDir(), 'escalon.backup.tar');
  });

  it('backs up, verifies, and restores into an empty database and attachment store', async () => {
    const made = await cli(ctx.url, files, ['backup', '--out', backupFile]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(new RegExp(`^backup written: .*escalon\\.backup\\.tar \\(.*\\): ${dialect} database .* at migration ${Object.keys(MIGRATIONS).at(-1)}, 2 attachment files`));
    expect(existsSync(`${backupFile}.partial`)).toBe(false);

    const verified = await cli(ctx.url, files, ['backup', '--verify', backupFile]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`${backupFile}: ok — ${dialect} database`);

    const target = await emptyTarget(dialect);
    const targetFiles = join(tempDir(), 'files');
    const restored = await cli(target, targetFiles, ['restore', backupFile]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^restored .*: \w+ database at migration \S+; 2 attachment files \(2 added, 0 already present\)\n$/);
    expect(storedFiles(targetFiles)).toEqual(contents.map(sha).sort());
    for (const c of contents) expect(sha(readFileSync(join(targetFiles, sha(c).slice(0, 2), sha(c))))).toBe(sha(c));
    const store = openStore(target, { poolSize: 1 });
    try {
      const n = await store.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(userCount);
      const rows = await store.db.selectFrom('attachments').select('sha256').execute();
      expect(rows.map((r) => r.sha256).sort()).toEqual([contents[0], contents[1], contents[0]].map((c) => sha(c as Buffer)).sort());
    } finally {
      await store.close();
    }

    // Not empty any more: refused, unless --force (which replaces the whole content).
    const again = await cli(target, targetFiles, ['restore', backupFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^escalon restore: the target database is not empty \(\d+ tables in .*\); restore refuses to overwrite it\. .*--force/);
    const forced = await cli(target, targetFiles, ['restore', '--force', backupFile]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('2 attachment files (0 added, 2 already present)');
  });

  it('refuses a missing, empty, foreign, corrupt or truncated file, leaving the target untouched', async () => {
    const target = await emptyTarget(dialect);
    const targetFiles = join(tempDir(), 'files');
    const dir = tempDir();
    const whole = readFileSync(backupFile);
    const flipped = Buffer.from(whole);
    flipped[2000] = (flipped[2000] ?? 0) ^ 0xff; // inside the database part
    const cases: Array<[string, Buffer | null, RegExp]> = [
      ['missing.tar', null, /cannot read .*missing\.tar: no such file$/],
      ['empty.tar', Buffer.alloc(0), /empty\.tar: the file is empty$/],
      ['notes.txt', Buffer.from('these are not the files you are looking for\n'), /notes\.txt: not a backup file \(shorter than one tar header\)$/],
      ['random.bin', randomBytes(4096), /random\.bin: not a backup file \(no tar header at the start\)$/],
      ['corrupt.tar', flipped, /corrupt\.tar: damaged backup: part 'database\.\w+' does not match its checksum in the manifest/],
      ['truncated.tar', whole.subarray(0, Math.floor(whole.length * 0.6)), /truncated\.tar: truncated: /],
      ['no-manifest.tar', whole.subarray(0, whole.length - 2048), /no-manifest\.tar: (no manifest: the backup is incomplete|truncated)/],
    ];
    for (const [name, content, expected] of cases) {
      const path = join(dir, name);
      if (content) writeFileSync(path, content);
      for (const args of [['restore', path], ['backup', '--verify', path]]) {
        const r = await cli(target, targetFiles, args);
        expect(r.code, `${name}: ${r.stdout}`).toBe(1);
        expect(r.stderr.trim(), name).toMatch(/^escalon (restore|backup --verify): /);
        expect(r.stderr.trim(), name).toMatch(expected);
      }
      expect(await tableCount(target), `${name}: target untouched`).toBe(0);
      expect(storedFiles(targetFiles), `${name}: no attachment file placed`).toEqual([]);
      expect(existsSync(join(targetFiles, 'tmp')) ? readdirSync(join(targetFiles, 'tmp')) : [], `${name}: staging removed`).toEqual([]);
    }
  });

  it('refuses to write a backup into a directory that does not exist, or of a database that does not exist', async () => {
    const r = await cli(ctx.url, files, ['backup', '--out', join(tempDir(), 'no/such/dir/b.tar')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^escalon backup: cannot write .*b\.tar: the directory .*dir does not exist\n$/);
    if (dialect === 'sqlite') {
      const missing = `sqlite:${join(tempDir(), 'nothing-here.db')}`;
      const r2 = await cli(missing, files, ['backup', '--out', join(tempDir(), 'b.tar')]);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toMatch(/^escalon backup: no database at .*nothing-here\.db \(ESCALON_DATABASE_URL\): nothing to back up\n$/);
      expect(existsSync(missing.slice(7))).toBe(false);
    }
    const neither = await cli(ctx.url, files, ['backup']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toBe('escalon backup: give either --out FILE (make a backup) or --verify FILE (check one)\n');
  });

  const other = dialect === 'sqlite' ? 'postgres' : 'sqlite';
  if (other === 'sqlite' || pgReady) {
    it(`refuses to restore into ${other}: a backup goes back into the kind of database it came from`, async () => {
      const target = await emptyTarget(other);
      const r = await cli(target, join(tempDir(), 'files'), ['restore', backupFile]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`holds a ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database; ESCALON_DATABASE_URL names ${other === 'sqlite' ? 'SQLite' : 'PostgreSQL'}\\. Restore it into`));
      expect(await tableCount(target)).toBe(0);
    });
  }

  it('refuses a backup of a database migrated by a newer release', async () => {
    await sql`insert into schema_migrations (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(ctx.store.db);
    const file = join(tempDir(), 'future.tar');
    try {
      const made = await cli(ctx.url, files, ['backup', '--out', file]);
      expect(made.code, made.stderr).toBe(0);
    } finally {
      await sql`delete from schema_migrations where name = '9999-from-the-future'`.execute(ctx.store.db);
    }
    const target = await emptyTarget(dialect);
    const r = await cli(target, join(tempDir(), 'files'), ['restore', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/was taken from a database migrated by a newer Escalon \(migrations this release does not know: 9999-from-the-future; backup made by [\d.]+\)\. Restore it with that release or a newer one/);
    expect(await tableCount(target)).toBe(0);
  });

  it('restores a backup at an older migration level and says to migrate; `escalon migrate` then brings it up', async () => {
    // A database one migration behind this release.
    const source = await emptyTarget(dialect);
    const last = Object.keys(MIGRATIONS).at(-1) as string;
    const before = Object.keys(MIGRATIONS).at(-2) as string;
    const s = openStore(source, { poolSize: 1 });
    try {
      const migrator = new Migrator({
        db: s.db,
        provider: { getMigrations: async () => Object.fromEntries(Object.entries(MIGRATIONS).map(([k, up]) => [k, { up: (db: Kysely<unknown>) => up(db, s.dialect) } satisfies Migration])) },
        migrationTableName: 'schema_migrations',
        migrationLockTableName: 'schema_migrations_lock',
      });
      const { error } = await migrator.migrateTo(before);
      expect(error).toBeUndefined();
    } finally {
      await s.close();
    }
    const sourceFiles = join(tempDir(), 'files');
    const file = join(tempDir(), 'older.tar.gz');
    expect((await cli(source, sourceFiles, ['backup', '--out', file])).code).toBe(0);
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const target = await emptyTarget(dialect);
    const r = await cli(target, join(tempDir(), 'files'), ['restore', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`database at migration ${before}; 0 attachment files`);
    expect(r.stdout).toContain(`the backup predates 1 migration(s) of this release (${last}): run \`escalon migrate\``);
    const check = await cli(target, join(tempDir(), 'files'), ['migrate', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe(`pending: ${last}\n`);
    const m = await cli(target, join(tempDir(), 'files'), ['migrate']);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toBe(`applied: ${last}\n`);
    const after = await cli(target, join(tempDir(), 'files'), ['migrate', '--check']);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe('database is up to date\n');
  });
}

describeStores('escalon backup / restore', (ctx) => {
  if (ctx.dialect === 'sqlite') suite('sqlite', ctx);
  else if (hasPgTools) suite('postgres', ctx);
  else if (REQUIRED) it('needs pg_dump, pg_restore and psql (ESCALON_REQUIRE_ALL_SUITES=1)', () => expect.fail('PostgreSQL client tools are not installed'));
});

