/**
 * Fires the timers that came due, in batches: one transaction for many timers, so a backlog
 * drains at the disk's commit rate rather than one commit per timer. Each timer's effect and
 * its completion (the timer rows of that ticket are replaced) commit together, so a firing
 * takes effect exactly once: a process that dies mid-batch leaves its timers in place (and on
 * PostgreSQL their lease expires), and whoever fires them next re-checks, under the ticket's
 * row lock, that each timer is still owed.
 *
 * Leases (PostgreSQL): LEASE_MS is short and renewed every RENEW_EVERY_MS while the batch
 * works (store/lease-keeper.ts explains why leases rather than advisory locks), so the claims
 * of a node that dies are free LEASE_MS after its last renewal, and another node's loop
 * (timer-loop.ts sleeps until exactly then) fires them: a dead node's timers are late by at
 * most about LEASE_MS plus one batch, not the 30 s the lease used to last. A lease that lapses
 * under a live but stalled owner costs duplicate work only: the re-check under the row lock
 * still lets each firing take effect once.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../store/connect.ts';
import type { Database } from '../store/schema.ts';
import { lockTicketRows, rowToTicket } from '../store/tickets-repo.ts';
import { engineRowOf } from '../store/risk-repo.ts';
import { keepLeases } from '../store/lease-keeper.ts';
import { claimDueTimers, postponeTimer, renewTimerLeases, timersOfTickets, type TimerRow } from '../store/timers-repo.ts';
import type { Clock } from '../domain/clock.ts';
import { Directory } from './engine-directory.ts';
import type { FireBatch, FireSlot, LiveEngine } from './live-engine.ts';
import { inTransaction, type UnitOfWork } from './unit-of-work.ts';
import { WriteSet } from './write-set.ts';

export interface FireDeps {
  store: Store;
  clock: Clock;
  live: LiveEngine;
  /** This process, as the owner of its leases. */
  owner: string;
  /** Called with (actual − due) for each timer fired, for the lag metric. */
  onFired?: (lagMs: number) => void;
  onError?: (timer: TimerRow, err: unknown) => void;
}

export interface FireResult {
  claimed: number;
  fired: number;
  stale: number;
  /** Claimed but left for the next batch (SQLite's time budget): the loop goes on at once. */
  deferred?: number;
}

/** A claim's lease (PostgreSQL), renewed while the batch works; a dead node's claims wait at most this long. */
export const LEASE_MS = 2_000;
/** How often the owner renews its leases: three renewals may be missed before a lease lapses. */
export const RENEW_EVERY_MS = 500;
const RETRY_AFTER_ERROR_MS = 60_000;
/** Bounds the in-order firing of one ticket's earlier timers (an engine that kept owing a moment must not spin). */
const MAX_EARLIER_PER_TICKET = 50;

/**
 * SQLite has one connection: a batch transaction stops taking on tickets after this long, so
 * reads queued behind it wait at most about this (plus the flush). The loop sizes its claims to
 * stay well within it (timer-loop.ts); this bounds a batch that runs slower than the last.
 */
const SQLITE_BATCH_BUDGET_MS = 100;

interface BatchOutcome {
  fired: TimerRow[];
  stale: number;
  /** Claimed timers left for the next batch (the time budget ran out first; SQLite only). */
  deferred: number;
}

/**
 * One batch, one transaction: the claimed timers' tickets are read and locked in one statement
 * (row and engine state together) and their timers due by the batch's last moment in a second;
 * then each ticket's timers fire in due order in memory through the engine, the ticket carried
 * from one firing to the next, and the batch's writes go out set-based at the end (WriteSet).
 */
async function fireBatch(trx: Kysely<Database>, uow: UnitOfWork, deps: FireDeps, timers: TimerRow[], budgetMs = Infinity): Promise<BatchOutcome> {
  const started = performance.now();
  const fired: TimerRow[] = [];
  let stale = 0;
  let deferred = 0;
  const policy = await deps.live.registry.refresh(trx);
  const model = deps.live.risk ? await deps.live.risk.refresh(trx) : null;
  const set = new WriteSet(deps.store.dialect);
  const dir = new Directory(trx);
  const byTicket = new Map<string, TimerRow[]>();
  for (const t of timers) {
    const list = byTicket.get(t.ticketId);
    if (list) list.push(t);
    else byTicket.set(t.ticketId, [t]);
  }
  const ids = [...byTicket.keys()];
  const rows = new Map((await lockTicketRows(trx, deps.store.dialect, ids)).map((r) => [r.id, r]));
  // Read after the locks: a timer still among these rows is owed (whoever fired before us has committed).
  const lastDue = timers.reduce((m, t) => Math.max(m, t.dueAt), -Infinity);
  const held = new Map<string, TimerRow[]>();
  for (const t of await timersOfTickets(trx, deps.store.dialect, ids, lastDue)) {
    const list = held.get(t.ticketId);
    if (list) list.push(t);
    else held.set(t.ticketId, [t]);
  }
  let done = 0;
  for (const [ticketId, claimed] of byTicket) {
    if (done > 0 && performance.now() - started > budgetMs) {
      deferred += claimed.length;
      continue;
    }
    done++;
    const row = rows.get(ticketId);
    if (!row) {
      stale += claimed.length;
      continue;
    }
    const slot: FireSlot = { ticket: rowToTicket(row), row: engineRowOf(row), timers: held.get(ticketId) ?? [] };
    const batch: FireBatch = { set, dir, model, slot };
    for (const timer of claimed) {
      // A ticket's timers take effect in due order, as in `escalon simulate`: an earlier timer of
      // this ticket that another process holds under its lease (or a dead process's lease) fires
      // here first, under the ticket's lock; its holder then finds it spent. Firing a later timer
      // first would make the engine skip the earlier moment (a lost warning or escalation).
      // A claimed timer no longer among the ticket's rows (fired or replaced meanwhile) is stale.
      let reached = false;
      for (let i = 0; i < MAX_EARLIER_PER_TICKET; i++) {
        const next = earliestOwed(slot.timers, timer.dueAt);
        if (!next) break;
        if (await deps.live.fire(trx, uow, slot.ticket, next, policy, batch)) fired.push(next);
        else stale++;
        if (next.kind === timer.kind && next.dueAt === timer.dueAt) {
          reached = true;
          break;
        }
      }
      if (!reached) stale++;
    }
  }
  await set.flush(trx);
  return { fired, stale, deferred };
}

/** The ticket's earliest timer due at or before `due` (rows as the database orders them: due, then id). */
function earliestOwed(timers: readonly TimerRow[], due: number): TimerRow | null {
  let best: TimerRow | null = null;
  for (const t of timers) {
    if (t.dueAt > due) continue;
    if (!best || t.dueAt < best.dueAt || (t.dueAt === best.dueAt && t.id < best.id)) best = t;
  }
  return best;
}

export async function fireDueTimers(deps: FireDeps, limit = 500): Promise<FireResult> {
  const now = deps.clock.now();
  const claimed = await claimDueTimers(deps.store.db, deps.store.dialect, now, limit, deps.owner, LEASE_MS);
  if (claimed.length === 0) return { claimed: 0, fired: 0, stale: 0 };
  const keeper =
    deps.store.dialect === 'postgres'
      ? keepLeases(
          () => renewTimerLeases(deps.store.db, deps.owner, claimed.map((t) => t.id), deps.clock.now() + LEASE_MS),
          RENEW_EVERY_MS,
        )
      : null;
  try {
    return await fireClaimed(deps, claimed);
  } finally {
    keeper?.stop();
  }
}

async function fireClaimed(deps: FireDeps, claimed: TimerRow[]): Promise<FireResult> {
  const report = (fired: TimerRow[]) => {
    const at = deps.clock.now();
    for (const t of fired) deps.onFired?.(at - t.dueAt);
  };
  try {
    const budget = deps.store.dialect === 'sqlite' ? SQLITE_BATCH_BUDGET_MS : Infinity;
    const { fired, stale, deferred } = await inTransaction(deps.store, deps.live.signals, (trx, uow) => fireBatch(trx, uow, deps, claimed, budget));
    report(fired);
    return { claimed: claimed.length, fired: fired.length, stale, deferred };
  } catch {
    // One bad timer must not hold the others back: fire them one by one; a timer that fails
    // on its own is postponed (never dropped) and reported.
    let firedCount = 0;
    let staleCount = 0;
    for (const timer of claimed) {
      try {
        const { fired, stale } = await inTransaction(deps.store, deps.live.signals, (trx, uow) => fireBatch(trx, uow, deps, [timer]));
        report(fired);
        firedCount += fired.length;
        staleCount += stale;
      } catch (err) {
        deps.onError?.(timer, err);
        await postponeTimer(deps.store.db, timer.id, deps.clock.now() + RETRY_AFTER_ERROR_MS).catch(() => undefined);
      }
    }
    return { claimed: claimed.length, fired: firedCount, stale: staleCount };
  }
}
