/**
 * Who may acknowledge an escalation (the contract (docs/contract.md) §1: the *receiving* team or agent confirms it
 * has the ticket). Allowed: a member, the lead or the manager of the receiving team (people are
 * matched to the policy's teams by email), the agent the ticket is assigned to, and anyone with
 * the role manager or admin. Never the person who made the escalation — unless they are the
 * receiving team's lead or manager in the policy (its lead chain), who would confirm receipt for
 * that team anyway.
 */
import type { Matrix } from './matrix.ts';
import type { TicketState } from './types.ts';

export interface Acknowledger {
  email: string;
  role: string;
}

export type AckRight = { ok: true } | { ok: false; why: string };

export function mayAcknowledge(state: TicketState, matrix: Matrix, who: Acknowledger): AckRight {
  const ack = state.pendingAck;
  if (!ack) return { ok: false, why: `ticket ${state.ref} has no escalation waiting for acknowledgement` };
  const email = who.email.toLowerCase();
  const same = (x: string | null | undefined) => typeof x === 'string' && x.toLowerCase() === email;
  const team = matrix.team(ack.team ?? state.team);
  const leadChain = same(team?.lead) || same(team?.manager);
  if (same(ack.by) && !leadChain) {
    return { ok: false, why: 'you made this escalation; the receiving team, its lead or a manager acknowledges it' };
  }
  if (who.role === 'admin' || who.role === 'manager') return { ok: true };
  if (leadChain || (team?.members.some(same) ?? false) || same(state.assignee)) return { ok: true };
  return {
    ok: false,
    why: `only the receiving team ${team?.id ?? state.team} (its members, lead or manager), the agent the ticket is assigned to, or a manager or admin may acknowledge`,
  };
}
