/** `escalon seed --demo`: fills an empty database with the demo data and prints the sign-ins. */
import type { Command } from 'commander';
import { DEMO_PASSWORD, seedDemo, type DemoSignIn } from '../app/seed-demo.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

export function printSignIns(signIns: DemoSignIn[], out: (s: string) => void): void {
  out(`\nDemo sign-ins (password for all: ${DEMO_PASSWORD}):\n`);
  for (const s of signIns) out(`  ${s.role.padEnd(9)} ${s.email}${s.organization ? `  — ${s.organization}` : ''}\n`);
}

export function register(program: Command): void {
  program
    .command('seed')
    .description('fill an empty database with demo data')
    .requiredOption('--demo', 'the demo data set (organizations, people, ~160 tickets)')
    .action(async () => {
      const config = loadConfigOrExit();
      try {
        const signIns = await withStore(config, async (store) => {
          await migrateToLatest(store);
          return seedDemo(store);
        });
        printSignIns(signIns, (s) => process.stdout.write(s));
      } catch (err) {
        fail(err);
      }
    });
}
