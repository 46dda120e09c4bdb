/**
 * Staff read and replace a ticket's customer CCs (the addresses copied on its conversation:
 * they receive staff's public replies). A change is recorded as an internal `ticket.updated`
 * event (field `ccs`) through the one write path, in the same transaction as the list.
 */
import { actorRef, type Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { addCcs, listCcs, removeCcs } from '../store/ccs-repo.ts';
import { commitTicketChange } from './commit-ticket-change.ts';
import type { AppDeps } from './deps.ts';
import { loadVisibleTicket } from './ticket-access.ts';
import { inTransaction } from './unit-of-work.ts';

export const MAX_CCS = 20;

export async function readTicketCcs(deps: AppDeps, actor: Actor, ref: string): Promise<{ key: string; ccs: string[] }> {
  const t = await loadVisibleTicket(deps.store.db, actor, ref);
  return { key: t.key, ccs: await listCcs(deps.store.db, t.id) };
}

export async function setTicketCcs(deps: AppDeps, actor: Actor, ref: string, addresses: string[]): Promise<{ key: string; ccs: string[] }> {
  const wanted = [...new Set(addresses.map((a) => a.trim().toLowerCase()))];
  if (wanted.length > MAX_CCS) throw new DomainError('VALIDATION_FAILED', `at most ${MAX_CCS} CC addresses per ticket (got ${wanted.length})`, { field: 'ccs' });
  const at = deps.clock.now();
  return inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    const before = await loadVisibleTicket(trx, actor, ref, deps.store.dialect);
    const requester = await trx.selectFrom('users').select('email').where('id', '=', before.requesterId).executeTakeFirst();
    if (requester && wanted.includes(requester.email.toLowerCase())) {
      throw new DomainError('VALIDATION_FAILED', `${requester.email} is the requester: they get every reply already; remove it from ccs`, { field: 'ccs' });
    }
    const current = await listCcs(trx, before.id);
    const removed = current.filter((a) => !wanted.includes(a));
    const added = wanted.filter((a) => !current.includes(a));
    if (removed.length === 0 && added.length === 0) return { key: before.key, ccs: current };
    await removeCcs(trx, before.id, removed);
    await addCcs(trx, before.id, added, at, actorRef(actor));
    await commitTicketChange(trx, uow, deps, {
      before,
      ticket: before,
      events: [{ type: 'ticket.updated', payload: { field: 'ccs', from: current, to: await listCcs(trx, before.id) }, internal: true }],
      at,
      actor: actorRef(actor),
    });
    return { key: before.key, ccs: await listCcs(trx, before.id) };
  });
}
