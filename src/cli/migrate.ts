/** `escalon migrate`: applies pending migrations to the configured database. */
import type { Command } from 'commander';
import { migrateToLatest } from '../store/migrate.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (ESCALON_DATABASE_URL)')
    .action(async () => {
      const config = loadConfigOrExit();
      try {
        const { applied } = await withStore(config, migrateToLatest);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      } catch (err) {
        fail(err);
      }
    });
}
