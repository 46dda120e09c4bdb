/**
 * The requester's profile (issue 14), kept in memory while a replay or a simulation goes:
 * fed with each ticket's state and events as they happen, it answers what was known about
 * the requester's other tickets at a moment. It only ever knows what it was fed, so fed in
 * time order it cannot see the future. Pure.
 */
import type { EngineEvent, TicketState } from '../engine/types.ts';
import type { CustomerProfile } from './api.ts';

const DAY = 24 * 3600 * 1000;
export const PROFILE_WINDOW_MS = 90 * DAY;

interface Known {
  ref: string;
  createdAt: number;
  open: boolean;
  breachedAt: number | null;
  escalatedAt: number | null;
}

export class ProfileTracker {
  private readonly byRequester = new Map<string, Known[]>();
  private readonly byRef = new Map<string, Known>();

  /** Records a ticket's state after a change and the events the change caused. */
  observe(state: TicketState, events: readonly EngineEvent[] = []): void {
    let k = this.byRef.get(state.ref);
    if (!k) {
      k = { ref: state.ref, createdAt: state.createdAt, open: true, breachedAt: null, escalatedAt: null };
      this.byRef.set(state.ref, k);
      if (state.requester) {
        const list = this.byRequester.get(state.requester);
        if (list) list.push(k);
        else this.byRequester.set(state.requester, [k]);
      }
    }
    k.open = state.status !== 'solved' && state.status !== 'closed';
    for (const e of events) {
      if (e.type === 'sla.breached' && k.breachedAt === null) k.breachedAt = e.at;
      else if (e.type === 'ticket.escalated' && k.escalatedAt === null) k.escalatedAt = e.at;
    }
    if (k.escalatedAt === null && state.escalations > 0) k.escalatedAt = events[0]?.at ?? state.createdAt;
  }

  /** The requester's other tickets as known at `at` (tickets created after `at` are not counted). */
  profile(requester: string | null, at: number, excludingRef: string): CustomerProfile {
    const out = { openTickets: 0, tickets90d: 0, breaches90d: 0, escalations90d: 0 };
    if (!requester) return out;
    const list = this.byRequester.get(requester);
    if (!list) return out;
    const from = at - PROFILE_WINDOW_MS;
    for (let i = list.length - 1; i >= 0; i--) {
      const k = list[i] as Known;
      if (k.ref === excludingRef || k.createdAt > at) continue;
      if (k.open) out.openTickets++;
      if (k.createdAt < from) continue;
      out.tickets90d++;
      if (k.breachedAt !== null && k.breachedAt <= at) out.breaches90d++;
      if (k.escalatedAt !== null && k.escalatedAt <= at) out.escalations90d++;
    }
    return out;
  }
}
