/** Writes outbox rows the way the live engine does (one per recipient address), for the dispatcher tests. */
import type { Store } from '../../../src/store/connect.ts';
import { destinationKey } from '../../../src/domain/outbox-destination.ts';
import { newId } from '../../../src/store/new-id.ts';

export interface QueueInput {
  ticketId: string;
  recipient: string;
  template: string;
  at: number;
  channel?: 'email' | 'webhook' | 'sms';
  audience?: 'internal' | 'customer';
  role?: string;
  rule?: string;
  urgent?: boolean;
  kind?: string;
}

export async function queue(store: Store, q: QueueInput): Promise<string> {
  const id = newId(q.at);
  await store.db
    .insertInto('outbox')
    .values({
      id,
      ticket_id: q.ticketId,
      channel: q.channel ?? 'email',
      recipient: q.recipient,
      destination: destinationKey(q.channel ?? 'email', q.recipient),
      template: q.template,
      payload: JSON.stringify({
        event_id: `ev-${id}`,
        ticket_id: q.ticketId,
        rule: q.rule ?? 'test-rule',
        audience: q.audience ?? 'internal',
        recipient_role: q.role ?? 'assignee',
        ...(q.urgent !== undefined && { urgent: q.urgent }),
        ...(q.kind !== undefined && { kind: q.kind }),
      }),
      status: 'pending',
      attempts: 0,
      next_attempt_at: q.at,
      created_at: q.at,
      last_error: null,
      lease_until: null,
      message_id: null,
      sent_at: null,
      merged_into: null,
    })
    .execute();
  return id;
}

export async function outboxRow(store: Store, id: string) {
  return store.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
