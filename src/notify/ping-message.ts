/**
 * An admin's test send to a webhook endpoint (app/webhook-admin.ts): a ticket-less outbox row
 * whose payload is `{ kind: 'ping' }`. It needs no template: the message is fixed, signed and
 * delivered like any other (retries, delivery records, the endpoint's failure count).
 */
import type { OutgoingMessage } from './channels/channel.ts';
import type { OutboxRow } from './outbox-queue.ts';

export const PING_TEMPLATE = 'webhook-ping';

export function pingMessage(row: OutboxRow, requestedBy: string | null): OutgoingMessage {
  return {
    messageId: row.message_id ?? row.id,
    to: row.recipient,
    subject: 'Escalon test delivery',
    text: 'This is a test delivery from Escalon: the endpoint is reachable and the signature can be checked with its secret.',
    html: '',
    data: { template: PING_TEMPLATE, event: 'ping', requested_by: requestedBy, requested_at: new Date(row.created_at).toISOString() },
    ticketKey: null,
  };
}
