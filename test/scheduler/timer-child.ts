/**
 * A scheduler process for the crash tests: the real TimerLoop (and fireDueTimers, the live
 * engine, the store) over ESCALON_DATABASE_URL, with a clock the parent controls. Started with
 * `node --import tsx test/scheduler/timer-child.ts`; the parent kills it with SIGKILL.
 *
 * Environment: ESCALON_DATABASE_URL, CHILD_NOW (virtual epoch ms at start), CHILD_OWNER (lease
 * owner), CHILD_BATCH (timers per batch), CHILD_HOLD (as `hold <n>` below, from the start).
 *
 * Protocol. Parent → child on stdin: `now <ms>` moves the clock and wakes the loop;
 * `hold <n>`: after n more firings inside a batch's transaction (not yet committed), report
 * `held` and stop there for good, the transaction open, so the parent's SIGKILL lands mid-work
 * however fast the machine is.
 * Child → parent on stdout, one message a line:
 *   `ready`            the loop is running;
 *   `fired <n>`        n timers fired so far in this process (after their batch committed);
 *   `idle <now>`       no timer is claimable at the current clock (due and not leased);
 *   `done <now>`       no timer at all is due at or before the current clock;
 *   `held`             stopped mid-batch after a `hold`.
 */
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { LiveEngine } from '../../src/app/live-engine.ts';
import { PolicyRegistry } from '../../src/app/policy-registry.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { openStore } from '../../src/store/connect.ts';
import { TimerLoop } from '../../src/scheduler/timer-loop.ts';

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`timer-child: ${name} is required\n`);
    process.exit(2);
  }
  return v;
}

const url = required('ESCALON_DATABASE_URL');
const clock = new ManualClock(Number(required('CHILD_NOW')));
const owner = process.env.CHILD_OWNER ?? `child:${process.pid}`;
const batchSize = Number(process.env.CHILD_BATCH ?? 100);
const store = openStore(url, { poolSize: 4 });
const live = new LiveEngine(new PolicyRegistry(), clock);

// `hold <n>`: count firings inside batches and stop for good at the n-th (the parent kills us).
// CHILD_HOLD: the same from the start (a restarted process fires its catch-up at once).
let holdAfter: number | null = process.env.CHILD_HOLD ? Math.max(1, Number(process.env.CHILD_HOLD)) : null;
const fireOne = live.fire.bind(live);
live.fire = async (...args: Parameters<LiveEngine['fire']>): Promise<boolean> => {
  const ok = await fireOne(...args);
  if (ok && holdAfter !== null && --holdAfter <= 0) {
    holdAfter = null;
    say('held');
    await new Promise<never>(() => undefined);
  }
  return ok;
};

let fired = 0;
let reportQueued = false;
const say = (line: string) => process.stdout.write(`${line}\n`);

const loop = new TimerLoop(
  {
    store,
    clock,
    live,
    owner,
    onFired: () => {
      fired++;
      if (reportQueued) return;
      reportQueued = true;
      setImmediate(() => {
        reportQueued = false;
        say(`fired ${fired}`);
      });
    },
    onError: (timer, err) => process.stderr.write(`timer ${timer.id}: ${(err as Error).message}\n`),
  },
  { batchSize, maxSleepMs: 200, log: (m) => process.stderr.write(`${m}\n`) },
);

/** Reports `idle`/`done` for the current clock (each once per clock value). */
let reported = '';
async function watch(): Promise<void> {
  const now = clock.now();
  const row = await sql<{ due: number | string; claimable: number | string }>`
    select count(*) as due,
           coalesce(sum(case when lease_until is null or lease_until < ${now} then 1 else 0 end), 0) as claimable
    from timers where due_at <= ${now}`.execute(store.db);
  const r = row.rows[0];
  const due = Number(r?.due ?? 0);
  const claimable = Number(r?.claimable ?? 0);
  const state = due === 0 ? 'done' : claimable === 0 ? 'idle' : '';
  if (state && reported !== `${state} ${now}`) {
    if (state === 'done' && reported !== `idle ${now}`) say(`idle ${now}`);
    reported = `${state} ${now}`;
    say(`${state} ${now}`);
  }
}

const watcher = setInterval(() => {
  watch().catch((err: unknown) => process.stderr.write(`watch: ${(err as Error).message}\n`));
}, 25);

createInterface({ input: process.stdin }).on('line', (line) => {
  const hold = /^hold (\d+)$/.exec(line.trim());
  if (hold) {
    holdAfter = Math.max(1, Number(hold[1]));
    return;
  }
  const m = /^now (\d+)$/.exec(line.trim());
  if (!m) return;
  clock.set(Number(m[1]));
  loop.wake();
});

loop.start();
say('ready');

process.once('SIGTERM', () => {
  clearInterval(watcher);
  void loop.stop().then(() => store.close()).then(() => process.exit(0));
});
