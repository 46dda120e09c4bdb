/**
 * The crash-test run shared by crash.test.ts and crash-two-schedulers.test.ts (issue 4, item 7).
 * Hundreds of tickets under the reference policy hold thousands of timers (warnings, breaches,
 * idle reminders, unacknowledged escalation chains). Scheduler processes (timer-child.ts: the
 * real TimerLoop over the store, with a clock the test moves) are killed with SIGKILL at points
 * drawn from a seeded schedule and restarted each time, the clock jumping forward between lives
 * so every restart catches up on overdue timers. At the end, from the events and outbox tables:
 *
 *   - no escalation lost and none done twice: every ticket has exactly the SLA, escalation and
 *     notification events that `Simulation` (the engine of `escalon simulate`) gives for the
 *     same tickets, at the same instants;
 *   - escalation ids are unique, and each (ticket, rule, level) escalates once;
 *   - the outbox holds exactly one row per (event_id, recipient) of every notification.queued.
 *
 * ESCALON_CRASH_SEED picks another schedule (the seed is in every failure message).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/connect.ts';
import { createPostgresDatabase, createSqliteDatabase, pgUnavailable } from '../helpers/db.ts';
import { comparableLine, createTimerWorkload, expectedEvents, type TimerWorkload } from '../helpers/timer-workload.ts';
import { bundleChild, SchedulerProcess, waitFor } from './scheduler-process.ts';
import { mulberry32 } from '../../src/domain/random.ts';

const SEED = Number(process.env.ESCALON_CRASH_SEED ?? 20261207);
const REQUIRED = process.env.ESCALON_REQUIRE_ALL_SUITES === '1';
const START = Date.parse('2026-12-07T10:00:00Z');
const HOUR = 3_600_000;
const DEBUG = process.env.ESCALON_CRASH_DEBUG === '1';
const t0 = performance.now();
const trace = (msg: string) => {
  if (DEBUG) console.log(`[crash ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
};


interface Life {
  /** The clock of this life (virtual epoch ms). */
  now: number;
  /** Kill once this many timers have fired in this life (0: at once when ready). */
  killAfter: number;
  /** Which schedulers die (two-process runs). */
  victims: number[];
  /**
   * Whether the victims are told to stop mid-batch after `killAfter` firings (inside the
   * transaction), or are killed wherever they are once the parent has seen that many firings
   * (which may be mid-commit, between batches, or — on a fast machine — already idle).
   */
  hold: boolean;
}

/** Clock jumps in increasing order across the tickets' timeline, then a final life past every lease. */
function schedule(seed: number, lives: number, lastCreated: number, processes: number): { lives: Life[]; until: number } {
  const rnd = mulberry32(seed);
  const moments = Array.from({ length: lives }, () => START + Math.floor(rnd() * (lastCreated + 26 * HOUR - START)));
  moments.sort((a, b) => a - b);
  const out: Life[] = moments.map((now) => {
    const roll = rnd();
    const killAfter = roll < 0.15 ? 0 : 1 + Math.floor(rnd() * 400);
    const pick = Math.floor(rnd() * 3);
    const victims = processes === 1 ? [0] : pick === 2 ? [0, 1] : [pick];
    const hold = killAfter > 0 && rnd() < 0.5;
    return { now, killAfter, victims, hold };
  });
  const until = Math.max(lastCreated + 30 * HOUR, (moments.at(-1) ?? START) + 120_000);
  return { lives: out, until };
}

async function eventsByTicket(store: Store): Promise<Map<string, string[]>> {
  const rows = await store.db
    .selectFrom('events')
    .innerJoin('tickets', 'tickets.id', 'events.ticket_id')
    .select(['tickets.key as key', 'events.at as at', 'events.type as type', 'events.payload as payload'])
    .orderBy('events.ticket_id')
    .orderBy('events.at')
    .orderBy('events.id')
    .execute();
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const line = comparableLine(Number(r.at), r.type, JSON.parse(r.payload) as Record<string, unknown>);
    if (!line) continue;
    const list = out.get(r.key) ?? [];
    list.push(line);
    out.set(r.key, list);
  }
  return out;
}

/** Sorts within each instant: two events at one moment may be stored in either order. */
function canonical(m: Map<string, string[]>): Record<string, string[]> {
  return Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, [...v].sort()]));
}

/** What is missing from `actual` and what it has in excess (a multiset difference). */
function difference(expected: string[], actual: string[]): string {
  const left = [...actual];
  const missing: string[] = [];
  for (const e of expected) {
    const i = left.indexOf(e);
    if (i < 0) missing.push(e);
    else left.splice(i, 1);
  }
  return `missing [${missing.join('; ')}] extra [${left.join('; ')}]`;
}

async function checkInvariants(store: Store, w: TimerWorkload, until: number, label: string): Promise<void> {
  const due = await store.db.selectFrom('timers').select((eb) => eb.fn.countAll().as('n')).where('due_at', '<=', until).executeTakeFirstOrThrow();
  expect(Number(due.n), `${label}: timers left due`).toBe(0);

  // Exactly the engine's account of every ticket: nothing lost, nothing twice.
  const expected = canonical(expectedEvents(w, until));
  const actual = canonical(await eventsByTicket(store));
  const total = Object.values(expected).reduce((n, l) => n + l.length, 0);
  expect(total, `${label}: the workload implies thousands of timed events`).toBeGreaterThan(2000);
  const wrong = Object.keys(expected).filter((k) => JSON.stringify(expected[k]) !== JSON.stringify(actual[k] ?? []));
  const diffs = wrong.slice(0, 5).map((k) => `${k}: ${difference(expected[k] ?? [], actual[k] ?? [])}`);
  if (wrong.length > 0) throw new Error(`${label}: ${wrong.length} tickets' events differ from simulate, e.g.\n${diffs.join('\n')}`);
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());

  const escalations = await store.db.selectFrom('events').select(['ticket_id', 'payload']).where('type', '=', 'ticket.escalated').execute();
  const ids = escalations.map((e) => (JSON.parse(e.payload) as { escalation_id: string }).escalation_id);
  expect(new Set(ids).size, `${label}: escalation ids unique`).toBe(ids.length);
  const steps = escalations.map((e) => {
    const p = JSON.parse(e.payload) as { rule?: string; to_level?: string };
    return `${e.ticket_id} ${p.rule ?? ''} ${p.to_level ?? ''}`;
  });
  expect(new Set(steps).size, `${label}: each (ticket, rule, level) escalates once`).toBe(steps.length);

  const outbox = await store.db.selectFrom('outbox').select(['payload', 'recipient']).execute();
  const pairs = outbox.map((r) => `${(JSON.parse(r.payload) as { event_id: string }).event_id} ${r.recipient}`);
  expect(new Set(pairs).size, `${label}: outbox unique per event and recipient`).toBe(pairs.length);
  const queued = await store.db.selectFrom('events').select(['id', 'payload']).where('type', '=', 'notification.queued').execute();
  const owed = queued.flatMap((e) => ((JSON.parse(e.payload) as { to?: string[] }).to ?? []).map((to) => `${e.id} ${to}`));
  expect([...pairs].sort(), `${label}: one outbox row per queued notification and recipient`).toEqual(owed.sort());
}

interface Run {
  kills: number;
  killedMidWork: number;
  restarts: number;
}

/** Lives of `processes` schedulers on one database, killed and restarted per the schedule. */
async function crashRun(url: string, script: string, processes: number, lives: Life[], until: number, label: string): Promise<Run> {
  const run: Run = { kills: 0, killedMidWork: 0, restarts: 0 };
  const first = lives[0]?.now ?? until;
  // A process about to be a life's victim is told at spawn when to stop mid-batch: it starts
  // firing (catching up) the moment it is ready, before any message could reach it.
  const holdFor = (n: number, i: number): number | undefined => {
    const life = lives[n];
    return life?.hold && life.victims.includes(i) ? life.killAfter : undefined;
  };
  const children: SchedulerProcess[] = Array.from(
    { length: processes },
    (_, i) => new SchedulerProcess(url, first, `${label}-p${i}-0`, script, undefined, holdFor(0, i)),
  );
  try {
    for (const [n, life] of lives.entries()) {
      // Survivors of the previous life are told now; the freshly spawned were told at spawn.
      if (life.hold && n > 0) for (const v of life.victims) if (!lives[n - 1]?.victims.includes(v)) children[v]?.hold(life.killAfter);
      for (const c of children) c.setNow(life.now);
      const base = children.map((c) => c.fired);
      const firedHere = () => children.reduce((s, c, i) => s + c.fired - (base[i] ?? 0), 0);
      const idle = () => children.some((c) => c.idleAt >= life.now);
      const held = () => life.victims.some((v) => children[v]?.held === true);
      await waitFor(
        children,
        () => children.every((c) => c.ready) && (life.hold ? held() || idle() : firedHere() >= life.killAfter || idle()),
        `${label} life ${n}: ${life.killAfter} firings${life.hold ? ' (held)' : ''} or idle at ${new Date(life.now).toISOString()}`,
      );
      const midWork = held() || !idle();
      trace(`${label} life ${n}: fired ${firedHere()} (kill after ${life.killAfter}), killing ${life.victims.join(',')}${midWork ? ' mid-work' : ' idle'}${life.hold ? ' (hold)' : ''}`);
      for (const v of life.victims) {
        const victim = children[v] as SchedulerProcess;
        await victim.kill();
        run.kills++;
        if (midWork) run.killedMidWork++;
        const next = lives[n + 1]?.now ?? until;
        children[v] = new SchedulerProcess(url, next, `${label}-p${v}-${n + 1}`, script, undefined, holdFor(n + 1, v));
        run.restarts++;
      }
    }
    // The last life: past every lease of a killed process; run until nothing is due.
    for (const c of children) c.setNow(until);
    await waitFor(children, () => children.every((c) => c.ready) && children.some((c) => c.doneAt >= until), `${label}: every timer fired up to ${new Date(until).toISOString()}`);
  } finally {
    await Promise.all(children.map((c) => c.kill()));
  }
  return run;
}

export function crashVariant(title: string, dialect: 'sqlite' | 'postgres', processes: number, tickets: number, lifeCount: number): void {
  const unavailable = dialect === 'postgres' ? pgUnavailable : null;
  if (unavailable && REQUIRED) {
    describe(title, () => {
      it('needs PostgreSQL (ESCALON_REQUIRE_ALL_SUITES=1)', () => {
        throw new Error(unavailable);
      });
    });
    return;
  }
  describe.skipIf(unavailable !== null)(title, () => {
    let db: { url: string; drop: () => Promise<void> } | undefined;
    let store: Store | undefined;
    let child: { path: string; remove: () => void } | undefined;
    beforeAll(async () => {
      db = dialect === 'sqlite' ? await createSqliteDatabase() : await createPostgresDatabase();
      child = await bundleChild();
    });
    afterAll(async () => {
      child?.remove();
      await store?.close();
      await db?.drop();
    });

    it(`no escalation lost, none twice, no notification queued twice (seed ${SEED})`, async () => {
      if (!db || !child) throw new Error('database or child script not ready');
      const setup = openStore(db.url, { poolSize: 2 });
      const workload = await createTimerWorkload(setup, START, tickets, 20_000);
      await setup.close();
      trace(`${dialect}x${processes}: ${tickets} tickets created`);
      const lastCreated = workload.tickets.at(-1)?.at ?? START;
      const seed = SEED + processes * 1000 + (dialect === 'postgres' ? 1 : 0);
      const { lives, until } = schedule(seed, lifeCount, lastCreated, processes);
      const label = `${dialect}x${processes} seed ${seed}`;
      const run = await crashRun(db.url, child.path, processes, lives, until, label);
      expect(run.kills, label).toBe(lives.reduce((n, l) => n + l.victims.length, 0));
      expect(run.killedMidWork, `${label}: some kills land while timers are being fired`).toBeGreaterThan(0);
      trace(`${label}: all fired; checking`);
      store = openStore(db.url, { poolSize: 2 });
      await checkInvariants(store, workload, until, label);
      // A correctness test, not a timed one: on a loaded 2-core machine the PostgreSQL runs take
      // close to a minute, so it gets room beyond the suite's default.
    }, 240_000);
  });
}

