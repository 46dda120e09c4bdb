/**
 * `escalon serve [--demo] [--services=api,…]`: runs the selected services in this process.
 * On the embedded SQLite default it migrates first; on PostgreSQL it refuses to start with
 * pending migrations (run `escalon migrate`, once, from one place). `--demo` seeds the demo
 * data into an empty database and prints the sign-ins.
 */
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { systemClock } from '../app/deps.ts';
import { LiveEngine } from '../app/live-engine.ts';
import { PolicyRegistry } from '../app/policy-registry.ts';
import { AuditAnchorLoop } from '../scheduler/audit-anchor-loop.ts';
import { RiskRescoreLoop } from '../scheduler/risk-rescore-loop.ts';
import { TimerLoop } from '../scheduler/timer-loop.ts';
import { intakeHttpOptions, startIntake } from '../intake/intake-service.ts';
import { startNotifier } from '../notify/notifier-service.ts';
import { policyDirectory } from '../notify/recipient-directory.ts';
import { observeTimerFiringLag } from '../reporting/ops-metrics.ts';
import { databaseIsEmpty, seedDemo } from '../app/seed-demo.ts';
import { ensureIntakeOrganization } from '../app/intake-organization.ts';
import type { Config } from '../config.ts';
import { buildApp } from '../http/build-app.ts';
import { diskByteStore } from '../store/byte-store.ts';
import { openStore, type Store } from '../store/connect.ts';
import { migrateToLatest, pendingMigrations } from '../store/migrate.ts';
import { loadConfigOrExit } from './runtime.ts';
import { printSignIns } from './seed.ts';

/** A running service: stopped in reverse order on SIGINT/SIGTERM. */
export type Service = { stop(): Promise<void> };

/**
 * What the services of one process share: the store, the wall clock, the live engine (one
 * policy registry) and the wake-ups between them — a timer written by the API wakes this
 * process's scheduler at once; timers written by other processes are seen within a second.
 */
export interface ServiceContext {
  config: Config;
  store: Store;
  live: LiveEngine;
  wakeScheduler: (due: number | null) => void;
  wakeNotifier: () => void;
  setWakers(w: { scheduler?: (due: number | null) => void; notifier?: () => void }): void;
}
export type ServiceStarter = (ctx: ServiceContext) => Promise<Service>;

function serviceContext(config: Config, store: Store): ServiceContext {
  let scheduler: (due: number | null) => void = () => undefined;
  let notifier: () => void = () => undefined;
  const ctx: ServiceContext = {
    config,
    store,
    live: new LiveEngine(new PolicyRegistry(), systemClock, {
      timersChanged: (due) => scheduler(due),
      outboxChanged: () => notifier(),
    }),
    wakeScheduler: (due) => scheduler(due),
    wakeNotifier: () => notifier(),
    setWakers: (w) => {
      if (w.scheduler) scheduler = w.scheduler;
      if (w.notifier) notifier = w.notifier;
    },
  };
  return ctx;
}

/** The services `--services` can name. Other parts (scheduler, notifier, intake) add theirs here. */
export const SERVICES: Record<string, ServiceStarter> = {
  api: async ({ config, store, live }) => {
    // New web-form senders join the intake organization ("Web requests" unless configured).
    const intakeOrg = await ensureIntakeOrganization({ store, clock: systemClock, attachmentLimit: config.http.attachmentLimit }, config.intake.defaultOrganization);
    const app = await buildApp({
      store,
      clock: systemClock,
      engine: live,
      live,
      intake: intakeHttpOptions(config, intakeOrg),
      attachmentLimit: config.http.attachmentLimit,
      files: diskByteStore(config.attachments.dir),
      http: {
        bodyLimit: config.http.bodyLimit,
        loginRateLimit: config.http.loginRateLimit,
        sessionTtlMs: config.sessionTtlMs,
        secureCookies: config.http.secureCookies,
        trustProxy: config.http.trustProxy,
        publicOrigin: config.http.publicOrigin,
        hstsMaxAge: config.http.hstsMaxAge,
        accessLog: config.http.accessLog,
        logger: { level: config.logLevel },
      },
    });
    const address = await app.listen({ port: config.http.port, host: config.http.host });
    process.stdout.write(`Escalon API listening on ${address} — API docs at ${address}/docs\n`);
    return { stop: () => app.close() };
  },
  scheduler: async (ctx) => {
    const loop = new TimerLoop(
      { store: ctx.store, clock: systemClock, live: ctx.live, owner: `${hostname()}:${process.pid}`, onFired: (lag) => observeTimerFiringLag(lag) },
      { log: (m) => process.stderr.write(`${m}\n`) },
    );
    ctx.setWakers({ scheduler: (due) => loop.wake(due) });
    loop.start();
    // Risk prediction (issue 14): open tickets rescored at an interval, and at once on a new model.
    const rescore = new RiskRescoreLoop({ store: ctx.store, clock: systemClock, live: ctx.live }, { intervalMs: ctx.config.risk.intervalMs, log: (m) => process.stderr.write(`${m}\n`) });
    rescore.start();
    // Audit anchors (issue 16): printed to the log at an interval, to be kept outside the database.
    const anchors = new AuditAnchorLoop({ store: ctx.store, clock: systemClock }, { intervalMs: ctx.config.audit.anchorIntervalMs, log: (m) => process.stdout.write(`${m}\n`) });
    anchors.start();
    const risk = ctx.live.risk ? `; open tickets rescored for risk every ${Math.round(ctx.config.risk.intervalMs / 60_000)} min while a model is in force` : '';
    process.stdout.write(`Escalon scheduler running: SLA and escalation timers fire at their moment${risk}\n`);
    return {
      stop: async () => {
        await rescore.stop();
        await anchors.stop();
        await loop.stop();
      },
    };
  },
  notifier: async (ctx) => {
    const dispatcher = startNotifier({
      config: ctx.config,
      store: ctx.store,
      clock: systemClock,
      directory: policyDirectory(() => ctx.live.registry.current()?.policy ?? null),
      onError: (err) => process.stderr.write(`notifier: ${(err as Error).message}\n`),
    });
    ctx.setWakers({ notifier: () => dispatcher.wake() });
    const email = ctx.config.smtp.host ? `email via ${ctx.config.smtp.host}:${ctx.config.smtp.port}` : `no SMTP server configured (ESCALON_SMTP_HOST): email waits in the outbox (up to ${Math.round(ctx.config.notify.outboxMaxAgeMs / 3_600_000)} h)`;
    process.stdout.write(`Escalon notifier running: ${email}; webhooks on\n`);
    return { stop: () => dispatcher.stop() };
  },
  intake: async (ctx) => {
    const deps = { store: ctx.store, clock: systemClock, attachmentLimit: ctx.config.http.attachmentLimit, files: diskByteStore(ctx.config.attachments.dir), engine: ctx.live, live: ctx.live };
    const listener = await startIntake(deps, ctx.config, (err) => process.stderr.write(`intake: ${(err as Error).message}\n`));
    process.stdout.write(`Escalon intake: SMTP listener on ${ctx.config.intake.smtpHost}:${listener.port} for @${ctx.config.intake.domain}\n`);
    return { stop: () => listener.close() };
  },
};

/** All services; intake only when ESCALON_SECRET is set (it signs reply addresses). */
function defaultServices(config: Config): string {
  return ['api', 'scheduler', 'notifier', ...(config.secret ? ['intake'] : [])].join(',');
}

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
  process.stdout.write('demo: seeding organizations, people and ~160 tickets…\n');
  printSignIns(await seedDemo(store), (s) => process.stdout.write(s));
}

/**
 * The policy in force must still validate under this release (an upgrade can tighten what a
 * policy may hold, e.g. regular expressions RE2 cannot run). Starting anyway would fail every
 * change; refuse to start and say how to mend it instead.
 */
async function checkStoredPolicy(ctx: ServiceContext): Promise<void> {
  try {
    await ctx.live.registry.refresh(ctx.store.db);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n` +
        '  This release no longer accepts something in the policy in force. Export it with `escalon policy export > policy.yaml`, ' +
        'correct what the message names (docs/policy.md), then `escalon policy apply policy.yaml` (the server may stay stopped) and start again.',
    );
  }
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the server')
    .option('--demo', 'seed demo data into an empty database and print the sign-ins')
    .option('--services <list>', `comma-separated services to run (${Object.keys(SERVICES).join(', ')}); default: all (intake when ESCALON_SECRET is set)`)
    .action(async (o: { demo?: boolean; services?: string }) => {
      const config = loadConfigOrExit();
      const names = (o.services ?? defaultServices(config)).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !Object.hasOwn(SERVICES, n));
      if (unknown.length || names.length === 0) {
        process.stderr.write(`--services: unknown ${unknown.join(', ') || '(empty)'}; known: ${Object.keys(SERVICES).join(', ')}\n`);
        process.exit(2);
      }
      const store = openStore(config.database.url);
      const running: Service[] = [];
      try {
        await prepare(store, o.demo === true);
        const ctx = serviceContext(config, store);
        await checkStoredPolicy(ctx);
        for (const name of names) running.push(await (SERVICES[name] as ServiceStarter)(ctx));
      } catch (err) {
        process.stderr.write(`escalon serve: ${(err as Error).message}\n`);
        for (const s of running.reverse()) await s.stop();
        await store.close();
        process.exit(1);
      }
      // An operator reading the log must be able to tell a stop from a crash.
      const shutdown = async (signal: string) => {
        process.stdout.write(`Escalon stopping (${signal}): finishing the running services…\n`);
        for (const s of running.reverse()) await s.stop();
        await store.close();
        process.stdout.write('Escalon stopped.\n');
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
