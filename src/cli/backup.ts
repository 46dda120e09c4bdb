/**
 * `escalon backup --out FILE`: the database and the attachment files it references, in one file
 * (a tar; gzipped when FILE ends in .gz), taken while the server runs (src/backup/create-backup.ts).
 * `escalon backup --verify FILE`: reads a backup whole and checks every part against its manifest.
 */
import type { Command } from 'commander';
import { createBackup } from '../backup/create-backup.ts';
import { BackupError } from '../backup/manifest.ts';
import { DEFAULT_PG_TOOLS } from '../backup/pg-tools.ts';
import { verifyBackup } from '../backup/restore-backup.ts';
import { loadConfigOrExit } from './runtime.ts';

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

/** One line `escalon <cmd>: <why>` on standard error, exit status 1 (no stack for expected refusals). */
export function failBackup(cmd: string, err: unknown): never {
  const message = err instanceof BackupError ? err.message : `${(err as Error).message ?? String(err)}`;
  process.stderr.write(`escalon ${cmd}: ${message}\n`);
  process.exit(1);
}

export function register(program: Command): void {
  program
    .command('backup')
    .description('back up the database and its attachment files into one file, while the server runs (or check a backup with --verify)')
    .option('--out <file>', 'the backup file to write (a tar; gzipped when it ends in .gz); replaced only once complete')
    .option('--verify <file>', 'read a backup file whole and check it (nothing is restored)')
    .option('--pg-dump <path>', 'the pg_dump program (PostgreSQL; its major version must be the server\'s or newer)', DEFAULT_PG_TOOLS.pgDump)
    .option('--pg-restore <path>', 'the pg_restore program (--verify of a PostgreSQL backup)', DEFAULT_PG_TOOLS.pgRestore)
    .action(async (o: { out?: string; verify?: string; pgDump: string; pgRestore: string }) => {
      if ((o.out === undefined) === (o.verify === undefined)) {
        process.stderr.write('escalon backup: give either --out FILE (make a backup) or --verify FILE (check one)\n');
        process.exit(2);
      }
      const tools = { ...DEFAULT_PG_TOOLS, pgDump: o.pgDump, pgRestore: o.pgRestore };
      if (o.verify !== undefined) {
        try {
          const { manifest: m } = await verifyBackup(o.verify, tools);
          process.stdout.write(
            `${o.verify}: ok — ${m.dialect} database at migration ${m.migrations.at(-1) ?? '(none)'}, ${m.attachments.count} attachment files (${mib(m.attachments.bytes)}), taken ${m.created_at} by Escalon ${m.escalon_version}\n`,
          );
        } catch (err) {
          failBackup('backup --verify', err);
        }
        return;
      }
      const config = loadConfigOrExit();
      try {
        const started = Date.now();
        const s = await createBackup(config, o.out as string, { tools });
        process.stdout.write(
          `backup written: ${s.file} (${mib(s.bytes)}): ${s.dialect} database (${mib(s.databaseBytes)}) at migration ${s.migrations.at(-1) ?? '(none)'}, ` +
            `${s.attachments.count} attachment files (${mib(s.attachments.bytes)}), in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
      } catch (err) {
        failBackup('backup', err);
      }
    });
}
