/** Moves a ticket to another status (the contract (docs/contract.md) §8.4): a thin use case over update-ticket. */
import type { Actor } from '../auth/roles.ts';
import type { Status } from '../domain/policy/types.ts';
import type { Committed } from './commit-ticket-change.ts';
import type { AppDeps } from './deps.ts';
import { updateTicket } from './update-ticket.ts';

export function changeTicketStatus(deps: AppDeps, actor: Actor, ref: string, status: Status): Promise<Committed> {
  return updateTicket(deps, actor, ref, { status });
}
