/**
 * The periodic rescoring of open tickets (issue 14): time features move (business time open,
 * time since the last reply, the SLA clocks' remaining share) while nothing happens to a
 * ticket, so the scheduler rescores every open ticket at a regular interval. Batched: one
 * transaction per BATCH tickets, each under its row lock. A score within its band writes the
 * columns and engine state only — no event, no new ticket version, so no timeline flood; a
 * band crossing is a change with its `risk.changed` (and whatever rules follow).
 */
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../store/connect.ts';
import { openTicketIds } from '../store/risk-repo.ts';
import { findTicketForUpdate } from '../store/tickets-repo.ts';
import type { LiveEngine } from './live-engine.ts';
import { inTransaction } from './unit-of-work.ts';

export interface RescoreDeps {
  store: Store;
  clock: Clock;
  live: LiveEngine;
}

export interface RescoreResult {
  /** The model version used (0: none in force, nothing done). */
  version: number;
  tickets: number;
  /** Tickets whose band changed (and got a `risk.changed` event). */
  crossings: number;
}

const BATCH = 200;

export async function rescoreOpenTickets(deps: RescoreDeps, batch = BATCH): Promise<RescoreResult> {
  const risk = deps.live.risk;
  if (!risk) return { version: 0, tickets: 0, crossings: 0 };
  let after = '';
  const result: RescoreResult = { version: 0, tickets: 0, crossings: 0 };
  for (;;) {
    const ids = await openTicketIds(deps.store.db, after, batch);
    if (ids.length === 0) break;
    after = ids[ids.length - 1] as string;
    const stop = await inTransaction(deps.store, deps.live.signals, async (trx, uow) => {
      const policy = await deps.live.registry.refresh(trx);
      const model = await risk.refresh(trx);
      if (!policy || !model) return true;
      result.version = model.version;
      const at = deps.clock.now();
      for (const id of ids) {
        const ticket = await findTicketForUpdate(trx, id, deps.store.dialect);
        if (!ticket) continue;
        result.tickets++;
        if (await deps.live.rescore(trx, uow, ticket, policy, model, at)) result.crossings++;
      }
      return false;
    });
    if (stop || ids.length < batch) break;
  }
  return result;
}
