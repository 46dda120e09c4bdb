/**
 * Staff's public replies reach the customer by default, without a policy rule: for each public
 * agent comment of a change, one outbox row per recipient, written in the change's transaction
 * (commit-ticket-change.ts), marked `kind: 'reply'` with the comment id. The conversation's
 * channel decides the recipients:
 *   - the customer's latest message came through a provider intake source (SMS, chat): one row
 *     on that source's reply channel (`reply:<source>`) to the sender's number or handle there;
 *   - otherwise email: the requester and the ticket's CCs, threaded under the customer's latest
 *     inbound mail (In-Reply-To / References).
 * Internal notes and customers' own messages are never queued (nobody gets an echo).
 */
import type { Kysely } from 'kysely';
import { destinationKey } from '../domain/outbox-destination.ts';
import type { Ticket } from '../domain/ticket.ts';
import { listCcs } from '../store/ccs-repo.ts';
import type { StoredEvent } from '../store/events-repo.ts';
import { newId } from '../store/new-id.ts';
import type { Database } from '../store/schema.ts';

type Db = Kysely<Database>;

export const REPLY_TEMPLATE = 'customer-reply';
/** Addresses standing for a phone number or chat handle (intake-sources.ts senderAddress): never mailed. */
const PSEUDO_ADDRESS = /@[a-z0-9_-]+\.intake\.invalid$/i;
const MESSAGE_ID = /^<[^<>\s]+>$/;
const MAX_REFERENCES = 10;

export interface ReplyPayload {
  kind: 'reply';
  comment_id: string;
  event_id: string;
  ticket_id: string;
  audience: 'customer';
  recipient_role: 'requester' | 'cc';
  /** Message-ID of the customer's latest mail (email replies only). */
  in_reply_to?: string;
  references?: string[];
}

function isAgentReply(e: StoredEvent): boolean {
  const p = e.payload;
  return e.type === 'comment.added' && p.public === true && p.author_kind === 'agent' && typeof p.comment_id === 'string';
}

export async function queueReplies(trx: Db, ticket: Ticket, stored: StoredEvent[], now: number): Promise<number> {
  const replies = stored.filter(isAgentReply);
  if (replies.length === 0) return 0;
  const requester = await trx.selectFrom('users').select('email').where('id', '=', ticket.requesterId).executeTakeFirst();
  const ccs = await listCcs(trx, ticket.id);
  const customers = [...new Set([requester?.email, ...ccs].filter((a): a is string => typeof a === 'string').map((a) => a.toLowerCase()))];
  const inbound = await trx
    .selectFrom('inbound_messages')
    .select(['channel', 'external_id', 'source', 'reply_to', 'sender'])
    .where('ticket_id', '=', ticket.id)
    .where('sender', 'in', customers.length > 0 ? customers : [''])
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  const latest = inbound[0];
  const provider = latest?.source && latest.reply_to ? { channel: `reply:${latest.source}`, to: latest.reply_to } : null;
  const mailIds = inbound.filter((m) => m.channel === 'email' && MESSAGE_ID.test(m.external_id)).map((m) => m.external_id);
  const threading = mailIds[0] ? { in_reply_to: mailIds[0], references: mailIds.slice(0, MAX_REFERENCES).reverse() } : {};

  const rows = replies.flatMap((e) => {
    const base = { kind: 'reply' as const, comment_id: e.payload.comment_id as string, event_id: e.id, ticket_id: ticket.id, audience: 'customer' as const };
    const targets: Array<{ channel: string; to: string; payload: ReplyPayload }> = provider
      ? [{ channel: provider.channel, to: provider.to, payload: { ...base, recipient_role: 'requester' } }]
      : customers
          .filter((a) => !PSEUDO_ADDRESS.test(a))
          .map((a) => ({ channel: 'email', to: a, payload: { ...base, recipient_role: a === requester?.email.toLowerCase() ? 'requester' : 'cc', ...threading } }));
    return targets.map((t) => ({
      id: newId(now),
      ticket_id: ticket.id,
      channel: t.channel,
      recipient: t.to,
      destination: destinationKey(t.channel, t.to),
      template: REPLY_TEMPLATE,
      payload: JSON.stringify(t.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      last_error: null,
      comment_id: t.payload.comment_id,
    }));
  });
  if (rows.length > 0) await trx.insertInto('outbox').values(rows).execute();
  return rows.length;
}
