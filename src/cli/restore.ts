/**
 * `escalon restore FILE [--force]`: checks the whole backup first, then puts its attachment files
 * into ESCALON_ATTACHMENTS_DIR and its database into ESCALON_DATABASE_URL in one transaction
 * (src/backup/restore-backup.ts). The target database must be empty unless --force.
 */
import type { Command } from 'commander';
import { DEFAULT_PG_TOOLS } from '../backup/pg-tools.ts';
import { restoreBackup } from '../backup/restore-backup.ts';
import { failBackup } from './backup.ts';
import { loadConfigOrExit } from './runtime.ts';

export function register(program: Command): void {
  program
    .command('restore')
    .description('restore a backup (escalon backup) into ESCALON_DATABASE_URL and ESCALON_ATTACHMENTS_DIR; the database must be empty unless --force')
    .argument('<file>', 'the backup file')
    .option('--force', 'replace the content of a database that is not empty (stop every escalon serve on it first)')
    .option('--pg-restore <path>', 'the pg_restore program (PostgreSQL)', DEFAULT_PG_TOOLS.pgRestore)
    .option('--psql <path>', 'the psql program (PostgreSQL)', DEFAULT_PG_TOOLS.psql)
    .action(async (file: string, o: { force?: boolean; pgRestore: string; psql: string }) => {
      const config = loadConfigOrExit();
      try {
        const s = await restoreBackup(config, file, { force: o.force === true, tools: { ...DEFAULT_PG_TOOLS, pgRestore: o.pgRestore, psql: o.psql } });
        const m = s.manifest;
        process.stdout.write(
          `restored ${file} (taken ${m.created_at}): ${m.dialect} database at migration ${m.migrations.at(-1) ?? '(none)'}; ` +
            `${m.attachments.count} attachment files (${s.attachmentsAdded} added, ${s.attachmentsPresent} already present)\n`,
        );
        if (s.pending.length) {
          const how = config.database.dialect === 'sqlite' ? '`escalon migrate` (or `escalon serve`, which migrates SQLite at start)' : '`escalon migrate` before `escalon serve`';
          process.stdout.write(`the backup predates ${s.pending.length} migration(s) of this release (${s.pending.join(', ')}): run ${how}\n`);
        }
      } catch (err) {
        failBackup('restore', err);
      }
    });
}
