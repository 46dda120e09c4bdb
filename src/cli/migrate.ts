/**
 * `escalon migrate`: applies pending migrations to the configured database.
 * `escalon migrate --check`: lists them without applying anything; exit status 1 when some are
 * pending (an upgrade with pending migrations needs every node stopped: docs/deploying.md).
 */
import type { Command } from 'commander';
import { migrateToLatest, pendingMigrations } from '../store/migrate.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (ESCALON_DATABASE_URL)')
    .option('--check', 'only list the pending migrations (exit status 1 when there are some); nothing is applied')
    .action(async (o: { check?: boolean }) => {
      const config = loadConfigOrExit();
      try {
        if (o.check) {
          const pending = await withStore(config, pendingMigrations);
          process.stdout.write(pending.length ? `pending: ${pending.join(', ')}\n` : 'database is up to date\n');
          if (pending.length) process.exit(1);
          return;
        }
        const { applied } = await withStore(config, migrateToLatest);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      } catch (err) {
        fail(err);
      }
    });
}
