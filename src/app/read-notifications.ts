/**
 * A ticket's messages as their recipients see them: one entry per outbox message with its
 * current delivery state (queued, held, waiting for a channel, sent, merged, failed, cancelled)
 * and why. Retries change the entry, never add one. Staff only (the route declares it).
 */
import type { Actor } from '../auth/roles.ts';
import { ticketOutbox } from '../notify/outbox-queue.ts';
import type { AppDeps } from './deps.ts';
import { loadVisibleTicket } from './ticket-access.ts';

export type DeliveryState = 'queued' | 'held' | 'waiting' | 'sending' | 'sent' | 'merged' | 'failed' | 'cancelled';

export interface TicketNotification {
  id: string;
  template: string;
  channel: string;
  recipient: string;
  state: DeliveryState;
  attempts: number;
  /** Why it waits, was held, failed or was cancelled; null once sent. */
  reason: string | null;
  queuedAt: number;
  sentAt: number | null;
  mergedInto: string | null;
  rule: string | null;
}

const STATES: Record<string, DeliveryState> = { pending: 'queued', held: 'held', waiting: 'waiting', sending: 'sending', sent: 'sent', merged: 'merged', failed: 'failed', cancelled: 'cancelled' };

export async function listTicketNotifications(deps: AppDeps, actor: Actor, ref: string): Promise<TicketNotification[]> {
  const ticket = await loadVisibleTicket(deps.store.db, actor, ref);
  const rows = await ticketOutbox(deps.store.db, ticket.id);
  return rows.map((r) => {
    const payload = JSON.parse(r.payload) as { rule?: unknown };
    return {
      id: r.id,
      template: r.template,
      channel: r.channel,
      recipient: r.recipient,
      state: (Object.hasOwn(STATES, r.status) ? STATES[r.status] : undefined) ?? 'queued',
      attempts: Number(r.attempts),
      reason: r.last_error,
      queuedAt: Number(r.created_at),
      sentAt: r.sent_at === null ? null : Number(r.sent_at),
      mergedInto: r.merged_into,
      rule: typeof payload.rule === 'string' ? payload.rule : null,
    };
  });
}
