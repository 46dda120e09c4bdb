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
import { findTicketForUpdate } from '../store/tickets-repo.ts';
import { keepLeases } from '../store/lease-keeper.ts';
import { claimDueTimers, earliestTicketTimer, postponeTimer, renewTimerLeases, type TimerRow } from '../store/timers-repo.ts';
import type { Clock } from '../domain/clock.ts';
import type { LiveEngine } from './live-engine.ts';
import { inTransaction, type UnitOfWork } from './unit-of-work.ts';

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
}

/** A claim's lease (PostgreSQL), renewed while the batch works; a dead node's claims wait at most this long. */
export const LEASE_MS = 2_000;
/** How often the owner renews its leases: three renewals may be missed before a lease lapses. */
export const RENEW_EVERY_MS = 500;
const RETRY_AFTER_ERROR_MS = 60_000;
/** Bounds the in-order firing of one ticket's earlier timers (an engine that kept owing a moment must not spin). */
const MAX_EARLIER_PER_TICKET = 50;

async function fireBatch(trx: Kysely<Database>, uow: UnitOfWork, deps: FireDeps, timers: TimerRow[]): Promise<{ fired: TimerRow[]; stale: number }> {
  const fired: TimerRow[] = [];
  let stale = 0;
  const policy = await deps.live.registry.refresh(trx);
  for (const timer of timers) {
    // A ticket's timers take effect in due order, as in `escalon simulate`: an earlier timer of
    // this ticket that another process holds under its lease (or a dead process's lease) fires
    // here first, under the ticket's lock; its holder then finds it spent. Firing a later timer
    // first would make the engine skip the earlier moment (a lost warning or escalation).
    // A claimed timer no longer among the ticket's rows (fired or replaced meanwhile) is stale.
    let ticket = await findTicketForUpdate(trx, timer.ticketId, deps.store.dialect);
    let reached = false;
    for (let i = 0; ticket && i < MAX_EARLIER_PER_TICKET; i++) {
      const next = await earliestTicketTimer(trx, timer.ticketId, timer.dueAt);
      if (!next) break;
      if (await deps.live.fire(trx, uow, ticket, next, policy)) fired.push(next);
      else stale++;
      if (next.kind === timer.kind && next.dueAt === timer.dueAt) {
        reached = true;
        break;
      }
      ticket = await findTicketForUpdate(trx, timer.ticketId, deps.store.dialect);
    }
    if (!reached) stale++;
  }
  return { fired, stale };
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
    const { fired, stale } = await inTransaction(deps.store, deps.live.signals, (trx, uow) => fireBatch(trx, uow, deps, claimed));
    report(fired);
    return { claimed: claimed.length, fired: fired.length, stale };
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
