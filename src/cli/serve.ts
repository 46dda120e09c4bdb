/**
 * `escalon serve [--demo] [--services=api,…]`: runs the selected services in this process.
 * On the embedded SQLite default it migrates first; on PostgreSQL it refuses to start with
 * pending migrations (run `escalon migrate`, once, from one place). `--demo` seeds the demo
 * data into an empty database and prints the sign-ins.
 */
import type { Command } from 'commander';
import { systemClock } from '../app/deps.ts';
import { databaseIsEmpty, seedDemo } from '../app/seed-demo.ts';
import type { Config } from '../config.ts';
import { buildApp } from '../http/build-app.ts';
import { openStore, type Store } from '../store/connect.ts';
import { migrateToLatest, pendingMigrations } from '../store/migrate.ts';
import { loadConfigOrExit } from './runtime.ts';
import { printSignIns } from './seed.ts';

/** A running service: stopped in reverse order on SIGINT/SIGTERM. */
export type Service = { stop(): Promise<void> };
export type ServiceStarter = (ctx: { config: Config; store: Store }) => Promise<Service>;

/** The services `--services` can name. Other parts (scheduler, notifier, intake) add theirs here. */
export const SERVICES: Record<string, ServiceStarter> = {
  api: async ({ config, store }) => {
    const app = await buildApp({
      store,
      clock: systemClock,
      attachmentLimit: config.http.attachmentLimit,
      http: {
        bodyLimit: config.http.bodyLimit,
        loginRateLimit: config.http.loginRateLimit,
        sessionTtlMs: config.sessionTtlMs,
        secureCookies: false,
        logger: { level: config.logLevel },
      },
    });
    const address = await app.listen({ port: config.http.port, host: config.http.host });
    process.stdout.write(`Escalon API listening on ${address} — API docs at ${address}/docs\n`);
    return { stop: () => app.close() };
  },
};

async function prepare(store: Store, demo: boolean): Promise<void> {
  if (store.dialect === 'sqlite') {
    const { applied } = await migrateToLatest(store);
    if (applied.length) process.stdout.write(`migrated: ${applied.join(', ')}\n`);
  } else {
    const pending = await pendingMigrations(store);
    if (pending.length) throw new Error(`the database has pending migrations (${pending.join(', ')}): run \`escalon migrate\` first`);
  }
  if (!demo) return;
  if (!(await databaseIsEmpty(store))) {
    process.stdout.write('demo: the database already has data; nothing seeded (sign in with the accounts you have)\n');
    return;
  }
  process.stdout.write('demo: seeding organizations, people and ~200 tickets…\n');
  printSignIns(await seedDemo(store), (s) => process.stdout.write(s));
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the server')
    .option('--demo', 'seed demo data into an empty database and print the sign-ins')
    .option('--services <list>', `comma-separated services to run (${Object.keys(SERVICES).join(', ')})`, 'api')
    .action(async (o: { demo?: boolean; services: string }) => {
      const config = loadConfigOrExit();
      const names = o.services.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !(n in SERVICES));
      if (unknown.length || names.length === 0) {
        process.stderr.write(`--services: unknown ${unknown.join(', ') || '(empty)'}; known: ${Object.keys(SERVICES).join(', ')}\n`);
        process.exit(2);
      }
      const store = openStore(config.database.url);
      const running: Service[] = [];
      try {
        await prepare(store, o.demo === true);
        for (const name of names) running.push(await (SERVICES[name] as ServiceStarter)({ config, store }));
      } catch (err) {
        process.stderr.write(`escalon serve: ${(err as Error).message}\n`);
        for (const s of running.reverse()) await s.stop();
        await store.close();
        process.exit(1);
      }
      const shutdown = async () => {
        for (const s of running.reverse()) await s.stop();
        await store.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
    });
}
