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

/** A running service: stopped on SIGINT/SIGTERM (gracefulShutdown says in which order). */
export type Service = { stop(): Promise<void> };
export interface NamedService {
  name: string;
  service: Service;
}

/** The services that take work from outside the database: stopped first, so the node takes no new work while the others finish theirs. */
const FRONT_SERVICES = new Set(['api', 'intake']);

/**
 * The graceful stop of `serve` (SIGTERM from systemd, an orchestrator or `kill`; SIGINT from a
 * terminal), in two steps:
 *   1. api and intake: the listener closes (new connections are refused; a request arriving on an
 *      open keep-alive connection is answered 503), requests in flight finish, open event
 *      streams are ended (the console reconnects — to another node behind the proxy), the SMTP
 *      listener stops;
 *   2. scheduler and notifier, together: the running timer batch commits (its firings and the
 *      timers it replaces in one transaction, so nothing is left claimed), the mails being sent
 *      finish and are recorded, the outbox rows claimed but not begun go back to pending at once
 *      (another node sends them within its poll, not after the 15 s lease).
 * Then the store closes and the process exits 0. It is bounded: after `timeoutMs`
 * (ESCALON_SHUTDOWN_TIMEOUT, 30 s) the process says what was still running and exits 1; a second
 * signal exits 1 at once. Neither loses anything acknowledged — every change commits in one
 * transaction, and whatever a cut-short process still held is taken over when its short lease
 * runs out (2 s for timers, 15 s for outbox rows), as after a crash.
 */
export function gracefulShutdown(running: readonly NamedService[], store: Store, timeoutMs: number, say: (line: string) => void = (l) => process.stdout.write(`${l}\n`), exit: (code: number) => void = (c) => process.exit(c)): (signal: string) => void {
  let stopping = false;
  return (signal) => {
    if (stopping) {
      say(`Escalon: ${signal} again: exiting now, without waiting (anything still claimed is taken over when its lease ends)`);
      exit(1);
      return;
    }
    stopping = true;
    // An operator reading the log must be able to tell a stop from a crash.
    say(`Escalon stopping (${signal}): taking no new requests; finishing requests in flight, the running timer batch and the mail being sent, releasing claims (at most ${Math.round(timeoutMs / 1000)} s; ${signal} again to exit at once)…`);
    const still = new Set(running.map((r) => r.name));
    let failed = false;
    const deadline = setTimeout(() => {
      say(`Escalon: not stopped within ${Math.round(timeoutMs / 1000)} s (still stopping: ${[...still].join(', ') || 'the store'}); exiting`);
      exit(1);
    }, timeoutMs);
    deadline.unref();
    const stop = async (r: NamedService) => {
      try {
        await r.service.stop();
      } catch (err) {
        failed = true;
        say(`Escalon: stopping ${r.name} failed: ${(err as Error).message}`);
      }
      still.delete(r.name);
    };
    void (async () => {
      await Promise.all(running.filter((r) => FRONT_SERVICES.has(r.name)).map(stop));
      await Promise.all([...running].reverse().filter((r) => !FRONT_SERVICES.has(r.name)).map(stop));
      try {
        await store.close();
      } catch (err) {
        failed = true;
        say(`Escalon: closing the database failed: ${(err as Error).message}`);
      }
      clearTimeout(deadline);
      say(failed ? 'Escalon stopped, with the errors above.' : 'Escalon stopped.');
      exit(failed ? 1 : 0);
    })();
  };
}

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
    // app.close(): the listener closes, open event streams end (routes/stream.ts), requests in
    // flight finish, connections close as they go idle (build-app.ts) — see gracefulShutdown.
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
      const running: NamedService[] = [];
      try {
        await prepare(store, o.demo === true);
        const ctx = serviceContext(config, store);
        await checkStoredPolicy(ctx);
        for (const name of names) running.push({ name, service: await (SERVICES[name] as ServiceStarter)(ctx) });
      } catch (err) {
        process.stderr.write(`escalon serve: ${(err as Error).message}\n`);
        for (const s of [...running].reverse()) await s.service.stop();
        await store.close();
        process.exit(1);
      }
      const shutdown = gracefulShutdown(running, store, config.shutdownTimeoutMs);
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}
