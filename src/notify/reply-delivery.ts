/**
 * The delivery state of staff replies, read from their outbox rows (one per recipient, however
 * many attempts): what the timeline shows beside each reply as one line that changes.
 *   queued    — waiting to go (new, held, or waiting to retry: `error` says why);
 *   sent      — the recipient's server or provider took it;
 *   failed    — given up (`error` says why); cancelled — withdrawn (`error` says why).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

export type ReplyDeliveryState = 'queued' | 'sent' | 'failed' | 'cancelled';

export interface ReplyDelivery {
  recipient: string;
  channel: string;
  state: ReplyDeliveryState;
  error: string | null;
  attempts: number;
  sentAt: number | null;
}

function stateOf(status: string): ReplyDeliveryState {
  if (status === 'sent' || status === 'merged') return 'sent';
  if (status === 'failed' || status === 'cancelled') return status;
  return 'queued';
}

export async function replyDeliveries(db: Kysely<Database>, commentIds: string[]): Promise<Map<string, ReplyDelivery[]>> {
  const out = new Map<string, ReplyDelivery[]>();
  if (commentIds.length === 0) return out;
  const rows = await db
    .selectFrom('outbox')
    .select(['comment_id', 'recipient', 'channel', 'status', 'last_error', 'attempts', 'sent_at'])
    .where('comment_id', 'in', commentIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    if (r.comment_id === null) continue;
    const state = stateOf(r.status);
    const list = out.get(r.comment_id) ?? [];
    list.push({ recipient: r.recipient, channel: r.channel, state, error: state === 'sent' ? null : r.last_error, attempts: r.attempts, sentAt: r.sent_at });
    out.set(r.comment_id, list);
  }
  return out;
}
