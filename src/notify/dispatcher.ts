/**
 * The outbox dispatcher: delivers the rows the engine wrote, in the same transaction as the
 * change that caused them (see outbox-queue.ts for a row's states).
 *
 * One pass (`runDue`) claims the due rows and, for each, in this order:
 *   1. resolves its channel, template and render context; a missing channel is retried (it may
 *      be configured later), a missing template or ticket fails the row;
 *   2. refuses an internal notice meant for a customer (cancelled, never sent);
 *   3. holds a non-urgent internal email while the recipient's quiet hours last (until the
 *      calendar's next opening); urgent ones (ticket priority urgent, or `urgent: true` in the
 *      payload) go at once;
 *   4. cancels a notice that waited (held or retried) for an escalation since acknowledged;
 *   5. (people's channels, not webhooks) holds a non-urgent row while the recipient got a message about the ticket less than
 *      the merge window ago, and absorbs the recipient's other waiting rows about the ticket
 *      created within the window: one message says it all;
 *   6. renders, delivers once, and records the attempt (a delivery row, an internal
 *      `notification.sent` / `notification.failed` event) with the row's new state: sent,
 *      retried after exponential backoff with jitter (and no sooner than Retry-After), or
 *      failed for good. The message id is the row's own and never changes between attempts.
 * Delivery is at least once: a dispatcher dying between sending and recording leaves an
 * expired lease, and the same message (same id) goes again; receivers dedupe on the id.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.ts';
import type { Store } from '../store/connect.ts';
import { newId } from '../store/new-id.ts';
import type { Database } from '../store/schema.ts';
import { retryDelay } from './backoff.ts';
import type { Channel, DeliveryOutcome, OutgoingMessage } from './channels/channel.ts';
import { composeMessage } from './compose-message.ts';
import { claimDue, holdUntil, lastSentAt, mergeCandidates, type OutboxRow } from './outbox-queue.ts';
import type { RecipientDirectory } from './recipient-directory.ts';
import { loadRenderContext, type LoadedContext } from './render-context-loader.ts';
import { replyAddress, surveyToken, SURVEY_TTL_MS } from './signed-links.ts';
import { redactForCustomer } from './templates/redact.ts';
import { renderTemplate, type RenderedMessage } from './templates/render.ts';
import { findTemplate } from './templates/template-store.ts';

export interface DispatcherOptions {
  batchSize: number;
  leaseMs: number;
  concurrency: number;
  mergeWindowMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  maxAttempts: number;
  /** Longest sleep between passes when nothing is due (rows written by other processes). */
  pollMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  batchSize: 64,
  leaseMs: 120_000,
  concurrency: 8,
  mergeWindowMs: 5 * 60_000,
  backoffBaseMs: 15_000,
  backoffCapMs: 3_600_000,
  maxAttempts: 30,
  pollMs: 1000,
};

export interface DispatcherLinks {
  /** e.g. https://escalon.example.com — ticket links and survey links start here. */
  publicUrl: string;
  /** ESCALON_SECRET: signs reply addresses and survey links (without it, neither is offered). */
  secret?: string | undefined;
  /** Domain of the intake mailbox for signed reply addresses, e.g. support.example.com. */
  replyDomain?: string | undefined;
}

export interface DispatcherDeps {
  store: Store;
  clock: Clock;
  channels: Partial<Record<string, Channel>>;
  links: DispatcherLinks;
  directory?: RecipientDirectory;
  options?: Partial<DispatcherOptions>;
  random?: () => number;
  onError?: (err: unknown) => void;
}

export interface Dispatcher {
  /** One pass over the rows due now; returns how many rows it claimed. */
  runDue(): Promise<number>;
  /** Passes until nothing is due at the clock's current time. */
  drain(): Promise<number>;
}

interface RowPayload {
  /** `reply`: a staff reply to the customer (reply-outbox.ts): never held for quiet hours, never merged. */
  kind?: 'reply';
  comment_id?: string;
  in_reply_to?: string;
  references?: string[];
  event_id?: string;
  rule?: string;
  audience?: 'internal' | 'customer';
  recipient_role?: string;
  urgent?: boolean;
}

const FINAL = ['sent', 'merged', 'failed', 'cancelled'];

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const o = { ...DEFAULT_DISPATCHER_OPTIONS, ...deps.options };
  const db = deps.store.db;
  const random = deps.random ?? Math.random;
  const links = deps.links;
  const base = links.publicUrl.replace(/\/+$/, '');
  const urls = {
    ticketUrl: (key: string) => `${base}/tickets/${encodeURIComponent(key)}`,
    surveyUrl: (ticketId: string) => (links.secret ? `${base}/api/v1/csat/${surveyToken(links.secret, ticketId, deps.clock.now() + SURVEY_TTL_MS)}` : null),
  };

  async function process(row: OutboxRow, now: number): Promise<void> {
    const payload = JSON.parse(row.payload) as RowPayload;
    const channel = deps.channels[row.channel];
    if (!channel) return finish(row, [], now, { kind: 'retry', error: `no '${row.channel}' channel is configured (see docs/ARCHITECTURE.md, Notifications)` }, payload);
    const template = await findTemplate(db, row.template);
    if (!template) return finish(row, [], now, { kind: 'failed', error: `unknown template '${row.template}'` }, payload);
    if (row.ticket_id === null) return finish(row, [], now, { kind: 'failed', error: 'an outbox row without a ticket has nothing to render' }, payload);
    const role = payload.recipient_role ?? (payload.audience === 'customer' ? 'requester' : 'recipient');
    const loaded = await loadRenderContext(db, row.ticket_id, { address: row.recipient, role }, urls, payload.rule ?? null);
    if (!loaded) return finish(row, [], now, { kind: 'failed', error: `ticket ${row.ticket_id} no longer exists` }, payload);
    const audience = payload.audience ?? template.audience;
    const reply = payload.kind === 'reply';
    if (reply) {
      const written = await loadReply(db, payload.comment_id);
      if (!written) return finish(row, [], now, { kind: 'failed', error: `the reply ${payload.comment_id ?? '?'} is not a public comment of this ticket` }, payload);
      loaded.ctx = { ...loaded.ctx, reply: written };
    }

    if (template.audience === 'internal' && (audience === 'customer' || (await isCustomerAddress(db, row.recipient, loaded)))) {
      return cancel(row, now, `internal template '${row.template}' is never sent to a customer (${row.recipient})`, payload);
    }
    const urgent = payload.urgent === true || loaded.priority === 'urgent';
    const waited = row.attempts > 0 || (row.last_error ?? '').startsWith('held:');
    if (audience === 'internal' && !reply && !urgent && row.channel === 'email' && deps.directory) {
      const cal = deps.directory.quietHoursFor(row.recipient);
      if (cal && !cal.isOpen(now)) {
        const opening = cal.nextOpening(now);
        if (Number.isFinite(opening)) return holdUntil(db, row.id, opening, `held: quiet hours of calendar ${cal.id} until ${new Date(opening).toISOString()}`);
      }
    }
    if (audience === 'internal' && waited && (await acknowledgedSince(db, row, loaded))) {
      return cancel(row, now, `escalation ${loaded.escalationId ?? ''} was acknowledged; the waiting notice is no longer needed`, payload);
    }
    // Merging spares people a flood; machines (webhooks) get every notice as it is, and a
    // person's reply is a message of its own, sent at once.
    const mergeable = !urgent && !reply && row.channel !== 'webhook' && !row.channel.startsWith('reply:');
    if (mergeable) {
      const last = await lastSentAt(db, row);
      if (last !== null && now - last < o.mergeWindowMs) return holdUntil(db, row.id, last + o.mergeWindowMs, `held: merge window after the message of ${new Date(last).toISOString()}`);
    }
    const absorbed = mergeable ? await absorb(row, now, audience) : [];
    const parts: RenderedMessage[] = [];
    const ctx = audience === 'customer' ? redactForCustomer(loaded.ctx) : loaded.ctx;
    try {
      parts.push(await renderTemplate(row.template, template, ctx));
      for (const a of absorbed) {
        const t = a.template === row.template ? template : await findTemplate(db, a.template);
        if (t) parts.push(await renderTemplate(a.template, t, { ...ctx, rule: audience === 'customer' ? null : ((JSON.parse(a.payload) as RowPayload).rule ?? null) }));
      }
    } catch (err) {
      return finish(row, absorbed, now, { kind: 'failed', error: (err as Error).message }, payload);
    }
    const message = buildMessage(row, loaded, parts, audience, payload);
    const outcome = await channel.deliver(message, now);
    return finish(row, absorbed, now, outcome, payload);
  }

  function buildMessage(row: OutboxRow, loaded: LoadedContext, parts: RenderedMessage[], audience: string, payload: RowPayload): OutgoingMessage {
    const composed = composeMessage(parts);
    const replyTo = links.secret && links.replyDomain && row.channel === 'email' ? replyAddress(links.secret, loaded.ticketKey, links.replyDomain) : undefined;
    const reply = payload.kind === 'reply' && loaded.ctx.reply ? { kind: 'reply', comment_id: payload.comment_id, reply_text: loaded.ctx.reply.body } : {};
    return {
      messageId: row.message_id ?? row.id,
      to: row.recipient,
      ...composed,
      data: { ticket: loaded.ticketKey, ticket_url: loaded.ctx.ticket.url, template: row.template, audience, priority: loaded.priority, status: loaded.status, merged: parts.length, ...reply },
      ticketKey: loaded.ticketKey,
      threadId: `ticket-${loaded.ticketId}`,
      ...(replyTo !== undefined && { replyTo }),
      ...(payload.in_reply_to !== undefined && { inReplyTo: payload.in_reply_to }),
      ...(payload.references !== undefined && { references: payload.references }),
      // Files attached to the reply's comment join here (attachments: OutgoingMessage.attachments).
    };
  }

  /** Takes the recipient's other waiting rows about the ticket (same audience) into this message. */
  async function absorb(row: OutboxRow, now: number, audience: string): Promise<OutboxRow[]> {
    const candidates = (await mergeCandidates(db, row, o.mergeWindowMs)).filter((c) => {
      const p = JSON.parse(c.payload) as RowPayload;
      return (p.audience ?? audience) === audience && p.urgent !== true && p.kind !== 'reply';
    });
    const taken: OutboxRow[] = [];
    for (const c of candidates) {
      const r = await db
        .updateTable('outbox')
        .set({ status: 'sending', lease_until: now + o.leaseMs, message_id: c.message_id ?? c.id })
        .where('id', '=', c.id)
        .where('status', 'in', ['pending', 'held'])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) taken.push(c);
    }
    return taken;
  }

  async function cancel(row: OutboxRow, now: number, reason: string, payload: RowPayload): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('outbox').set({ status: 'cancelled', lease_until: null, last_error: reason }).where('id', '=', row.id).execute();
      await appendEvent(trx, row, now, 'notification.failed', { ...eventBase(row, payload), final: true, cancelled: true, error: reason });
    });
  }

  async function finish(row: OutboxRow, absorbed: OutboxRow[], now: number, outcome: DeliveryOutcome, payload: RowPayload): Promise<void> {
    const attempt = row.attempts + 1;
    const messageId = row.message_id ?? row.id;
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('notification_deliveries')
        .values({
          id: newId(now),
          outbox_id: row.id,
          attempt,
          at: now,
          channel: row.channel,
          recipient: row.recipient,
          message_id: messageId,
          outcome: outcome.kind,
          status_code: outcome.statusCode ?? null,
          error: outcome.kind === 'sent' ? null : outcome.error,
          duration_ms: Math.max(0, deps.clock.now() - now),
        })
        .execute();
      const base = { ...eventBase(row, payload), attempt, message_id: messageId, ...(outcome.statusCode !== undefined && { status_code: outcome.statusCode }) };
      if (outcome.kind === 'sent') {
        await trx.updateTable('outbox').set({ status: 'sent', sent_at: now, attempts: attempt, lease_until: null, last_error: null }).where('id', '=', row.id).execute();
        await appendEvent(trx, row, now, 'notification.sent', { ...base, ...(absorbed.length > 0 && { merged: absorbed.map((a) => a.id) }) });
        for (const a of absorbed) {
          await trx.updateTable('outbox').set({ status: 'merged', merged_into: row.id, sent_at: now, lease_until: null }).where('id', '=', a.id).execute();
          await appendEvent(trx, a, now, 'notification.sent', { ...eventBase(a, JSON.parse(a.payload) as RowPayload), merged_into: row.id, message_id: messageId });
        }
        return;
      }
      const final = outcome.kind === 'failed' || attempt >= o.maxAttempts;
      const retryAt = final ? null : now + retryDelay(attempt, { baseMs: o.backoffBaseMs, capMs: o.backoffCapMs }, random, outcome.kind === 'retry' ? outcome.retryAfterMs : undefined);
      await trx
        .updateTable('outbox')
        .set({ status: final ? 'failed' : 'pending', attempts: attempt, lease_until: null, last_error: outcome.error, ...(retryAt !== null && { next_attempt_at: retryAt }) })
        .where('id', '=', row.id)
        .execute();
      // Rows taken into a failed message wait again on their own (behind this one, in ticket order).
      for (const a of absorbed) {
        await trx.updateTable('outbox').set({ status: 'pending', lease_until: null, next_attempt_at: retryAt ?? now }).where('id', '=', a.id).where('status', 'not in', FINAL).execute();
      }
      await appendEvent(trx, row, now, 'notification.failed', { ...base, final, error: outcome.error, ...(retryAt !== null && { retry_at: new Date(retryAt).toISOString() }) });
    });
  }

  async function runDue(): Promise<number> {
    const now = deps.clock.now();
    const rows = await claimDue(db, deps.store.dialect, now, o.leaseMs, o.batchSize);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < rows.length; i = next++) {
        const row = rows[i] as OutboxRow;
        try {
          await process(row, now);
        } catch (err) {
          // An unexpected error (the database went away): the lease expires and the row is retried.
          deps.onError?.(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, rows.length) }, worker));
    return rows.length;
  }

  return {
    runDue,
    async drain() {
      let total = 0;
      for (let n = await runDue(); n > 0; n = await runDue()) total += n;
      return total;
    },
  };
}

function eventBase(row: OutboxRow, payload: RowPayload): Record<string, unknown> {
  return {
    outbox_id: row.id,
    ...(payload.event_id !== undefined && { event_id: payload.event_id }),
    ...(payload.rule !== undefined && { rule: payload.rule }),
    ...(payload.comment_id !== undefined && { comment_id: payload.comment_id }),
    template: row.template,
    channel: row.channel,
    recipient: row.recipient,
    ...(payload.recipient_role !== undefined && { recipient_role: payload.recipient_role }),
  };
}

async function appendEvent(trx: Kysely<Database>, row: OutboxRow, now: number, type: string, payload: Record<string, unknown>): Promise<void> {
  if (row.ticket_id === null) return;
  await trx
    .insertInto('events')
    .values({ id: newId(now), ticket_id: row.ticket_id, at: now, recorded_at: now, type, actor: 'system', payload: JSON.stringify(payload), internal: 1 })
    .execute();
}

/** A reply row's comment, if it is still a public comment (its text and its author's name). */
async function loadReply(db: Kysely<Database>, commentId: string | undefined): Promise<{ body: string; author: string } | null> {
  if (!commentId) return null;
  const c = await db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.author_id')
    .select(['comments.body', 'comments.public', 'users.name'])
    .where('comments.id', '=', commentId)
    .executeTakeFirst();
  return c && c.public === 1 ? { body: c.body, author: c.name } : null;
}

async function isCustomerAddress(db: Kysely<Database>, address: string, loaded: LoadedContext): Promise<boolean> {
  if (address.toLowerCase() === loaded.requesterEmail.toLowerCase()) return true;
  const u = await db.selectFrom('users').select('role').where('email', '=', address.toLowerCase()).executeTakeFirst();
  return u?.role === 'customer';
}

/** Whether the escalation this waiting notice was about has since been acknowledged. */
async function acknowledgedSince(db: Kysely<Database>, row: OutboxRow, loaded: LoadedContext): Promise<boolean> {
  if (row.ticket_id === null) return false;
  const acks = await db
    .selectFrom('events')
    .select('payload')
    .where('ticket_id', '=', row.ticket_id)
    .where('type', '=', 'escalation.acknowledged')
    .where('at', '>=', row.created_at)
    .execute();
  return acks.some((a) => {
    const id = (JSON.parse(a.payload) as { escalation_id?: unknown }).escalation_id;
    return id === undefined || id === loaded.escalationId;
  });
}

