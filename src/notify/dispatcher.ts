/**
 * The outbox dispatcher: delivers the rows the engine wrote, in the same transaction as the
 * change that caused them (see outbox-queue.ts for a row's states).
 *
 * One pass (`runDue`) first parks the rows of channels this dispatcher does not have in one
 * `waiting` state (no attempt, no event), resumes waiting rows whose channel it has, and fails
 * (once, with one event) the rows that waited longer than `maxAgeMs`. It then claims the due
 * rows (in order per ticket and destination: a failing address or endpoint delays only the
 * later messages to it, see outbox-queue.ts), takes them by (ticket, destination) group, and
 * for each row, in this order:
 *   1. resolves its template and render context; a missing template or ticket fails the row;
 *   2. refuses an internal notice meant for a customer (cancelled, never sent);
 *   3. holds a non-urgent internal email while the recipient's quiet hours last (until the
 *      calendar's next opening); urgent ones (ticket priority urgent, or `urgent: true` in the
 *      payload) go at once;
 *   4. cancels a notice that waited (held or retried) for an escalation since acknowledged;
 *   5. (mergeable rows, merge-plan.ts) holds the row until the merge window after its creation
 *      and after the last message to the recipient about the ticket, then absorbs the
 *      recipient's other waiting rows about the ticket created within the window (those of the
 *      same batch included): one message says it all, identical notices once; a message
 *      identical to one sent within the window is not sent again;
 *   6. renders, delivers once, and records the attempt in notification_deliveries with the
 *      row's new state: sent, retried after exponential backoff with jitter (and no sooner
 *      than Retry-After), or failed for good. The message id is the row's own and never
 *      changes between attempts.
 * The timeline gets one internal event per message, and only for its final outcome
 * (`notification.sent`, or `notification.failed` when failed for good, cancelled or expired);
 * every event goes through `appendEvent`. Retries are seen in notification_deliveries and in
 * the row's state (GET /api/v1/tickets/:ref/notifications), never as events.
 * Delivery is at least once: a dispatcher dying between sending and recording leaves an
 * expired lease, and the same message (same id) goes again; receivers dedupe on the id.
 * Claims carry this dispatcher's owner id and a short lease (`leaseMs`, 15 s) that it renews
 * every third of the lease while the pass works (store/lease-keeper.ts), so a dead
 * dispatcher's rows are taken over within seconds instead of minutes.
 */
import type { Kysely } from 'kysely';
import { appendTicketEvents } from '../app/append-ticket-events.ts';
import { inTransaction, type UnitOfWork } from '../app/unit-of-work.ts';
import type { Clock } from '../domain/clock.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { pid } from 'node:process';
import { PassThrough, type Readable } from 'node:stream';
import { publicAttachmentsOfComment } from '../store/attachments-repo.ts';
import type { ByteStore } from '../store/byte-store.ts';
import type { Store } from '../store/connect.ts';
import { keepLeases } from '../store/lease-keeper.ts';
import { newId } from '../store/new-id.ts';
import type { Database } from '../store/schema.ts';
import { retryDelay } from './backoff.ts';
import type { Channel, DeliveryOutcome, OutgoingAttachment, OutgoingMessage } from './channels/channel.ts';
import { composeMessage } from './compose-message.ts';
import { contentHash, distinctParts, holdDecision, isMergeable, pickAbsorbed, repeatsSent, type MergeRowFacts } from './merge-plan.ts';
import { claimDue, expiredWaiting, holdUntil, lastSent, mergeCandidates, parkUnroutable, renewOutboxLeases, resumeWaiting, type OutboxRow } from './outbox-queue.ts';
import type { RecipientDirectory } from './recipient-directory.ts';
import { loadRenderContext, type LoadedContext } from './render-context-loader.ts';
import { replyAddress, surveyToken, SURVEY_TTL_MS } from './signed-links.ts';
import { pingMessage } from './ping-message.ts';
import { standaloneMessage } from './standalone-message.ts';
import { redactForCustomer } from './templates/redact.ts';
import { renderTemplate, type RenderedMessage } from './templates/render.ts';
import { findTemplate } from './templates/template-store.ts';

export interface DispatcherOptions {
  batchSize: number;
  /** A claim's lease, renewed every third of it while the pass works; a dead dispatcher's rows wait at most this long. */
  leaseMs: number;
  concurrency: number;
  mergeWindowMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  maxAttempts: number;
  /** Longest sleep between passes when nothing is due (rows written by other processes). */
  pollMs: number;
  /** A row waiting for a channel that is never configured fails (once) after this age. */
  maxAgeMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  batchSize: 64,
  leaseMs: 15_000,
  concurrency: 8,
  mergeWindowMs: 5 * 60_000,
  backoffBaseMs: 15_000,
  backoffCapMs: 3_600_000,
  maxAttempts: 30,
  pollMs: 1000,
  maxAgeMs: 72 * 3_600_000,
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
  /** Where attachment bytes are read from (a reply's files go out with its mail). */
  files?: ByteStore;
  /** This dispatcher as the owner of its claims (default: host:pid:random, one per dispatcher). */
  owner?: string;
}

export interface Dispatcher {
  /** One pass over the rows due now; returns how many rows it claimed. */
  runDue(): Promise<number>;
  /** Passes until nothing is due at the clock's current time. */
  drain(): Promise<number>;
  /**
   * Shutting down: the pass in flight finishes the messages it has begun and gives back the
   * rows it claimed but has not begun (pending again, lease cleared), so another dispatcher
   * sends them at once instead of after the lease; later passes claim nothing.
   */
  halt(): void;
}

interface RowPayload {
  /** `reply`: a staff reply to the customer (reply-outbox.ts): never held for quiet hours, never merged. `ping`: an admin's webhook test send (ping-message.ts). */
  kind?: 'reply' | 'ping';
  requested_by?: string;
  /** A reply: the comment whose text and public files go out with the message. */
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
  const owner = deps.owner ?? `${hostname()}:${pid}:${randomUUID().slice(0, 8)}`;
  /** Rows claimed (or absorbed) by the pass in flight: their leases are renewed until they are recorded. */
  const inFlight = new Set<string>();
  /** halt(): no row is begun any more; the claimed rest is given back (releaseClaims). */
  let halted = false;
  const links = deps.links;
  const base = links.publicUrl.replace(/\/+$/, '');
  const urls = {
    ticketUrl: (key: string) => `${base}/tickets/${encodeURIComponent(key)}`,
    surveyUrl: (ticketId: string) => (links.secret ? `${base}/api/v1/csat/${surveyToken(links.secret, ticketId, deps.clock.now() + SURVEY_TTL_MS)}` : null),
  };

  async function process(row: OutboxRow, now: number, inHand: OutboxRow[], handled: Set<string>): Promise<void> {
    const payload = JSON.parse(row.payload) as RowPayload;
    const channel = Object.hasOwn(deps.channels, row.channel) ? deps.channels[row.channel] : undefined;
    // Claimed rows always have a channel (the others were parked); a race with a reconfiguration parks it again.
    if (!channel) return holdUntil(db, row.id, now, `waiting: no ${row.channel} channel`).then(() => park(row.channel));
    if (row.ticket_id === null && payload.kind === 'ping') return finish(row, [], now, await channel.deliver(pingMessage(row, payload.requested_by ?? null), now), payload);
    const template = await findTemplate(db, row.template);
    if (!template) return finish(row, [], now, { kind: 'failed', error: `unknown template '${row.template}'` }, payload);
    if (row.ticket_id === null) {
      const standalone = await standaloneMessage(row, template);
      return finish(row, [], now, 'error' in standalone ? { kind: 'failed', error: standalone.error } : await channel.deliver(standalone.message, now), payload);
    }
    const role = payload.recipient_role ?? (payload.audience === 'customer' ? 'requester' : 'recipient');
    const zone = deps.directory?.timeZoneFor?.(row.recipient) ?? 'UTC';
    const loaded = await loadRenderContext(db, row.ticket_id, { address: row.recipient, role }, urls, payload.rule ?? null, zone);
    if (!loaded) return finish(row, [], now, { kind: 'failed', error: `ticket ${row.ticket_id} no longer exists` }, payload);
    const audience = payload.audience ?? template.audience;
    // SMS to a person goes to the phone number on their account.
    let to = row.recipient;
    if (row.channel === 'sms' && row.recipient.includes('@')) {
      const phone = await phoneOf(db, row.recipient);
      if (!phone) return finish(row, [], now, { kind: 'failed', error: `${row.recipient} has no phone number on their account (set one: PATCH /api/v1/users/:id with "phone")` }, payload);
      to = phone;
    }
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
    if (audience === 'internal' && waited && row.template !== 'escalation-acknowledged' && (await acknowledgedSince(db, row, loaded))) {
      return cancel(row, now, `escalation ${loaded.escalationId ?? ''} was acknowledged; the waiting notice is no longer needed`, payload);
    }
    // Merging spares people a flood; machines (webhooks) and the customer conversation (a person's
    // reply is a message of its own, sent at once) get every message as it is.
    const head = facts(row, payload, audience, urgent);
    const mergeable = isMergeable(head);
    const previous = mergeable ? await lastSent(db, row) : null;
    if (mergeable) {
      const decision = holdDecision(head, now, previous?.at ?? null, o.mergeWindowMs);
      if (decision.kind === 'hold') return holdUntil(db, row.id, decision.until, decision.reason);
    }
    const absorbed = mergeable ? await absorb(row, head, now, inHand, handled) : [];
    const rendered: RenderedMessage[] = [];
    const ctx = audience === 'customer' ? redactForCustomer(loaded.ctx) : loaded.ctx;
    try {
      rendered.push(await renderTemplate(row.template, template, ctx));
      for (const a of absorbed) {
        const t = a.template === row.template ? template : await findTemplate(db, a.template);
        if (t) rendered.push(await renderTemplate(a.template, t, { ...ctx, rule: audience === 'customer' ? null : ((JSON.parse(a.payload) as RowPayload).rule ?? null) }));
      }
    } catch (err) {
      return finish(row, absorbed, now, { kind: 'failed', error: (err as Error).message }, payload);
    }
    const files = await replyFiles([payload, ...absorbed.map((a) => JSON.parse(a.payload) as RowPayload)]);
    if (typeof files === 'string') return finish(row, absorbed, now, { kind: 'failed', error: files }, payload);
    const message = { ...buildMessage(row, loaded, distinctParts(rendered), audience, payload), to, ...(files.length > 0 && { attachments: files }) };
    const hash = contentHash(message);
    if (mergeable && previous && repeatsSent(hash, previous, row.created_at, o.mergeWindowMs)) return duplicate(row, absorbed, now, payload);
    const outcome = await channel.deliver(message, now);
    return finish(row, absorbed, now, outcome, payload, hash);
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

  /**
   * The public files of the comments these rows are about, opened lazily from the byte store
   * per attempt; or why they cannot be sent (a reply must not go out without its files).
   */
  async function replyFiles(payloads: RowPayload[]): Promise<OutgoingAttachment[] | string> {
    const out: OutgoingAttachment[] = [];
    for (const commentId of new Set(payloads.map((p) => p.comment_id).filter((c): c is string => typeof c === 'string'))) {
      for (const a of await publicAttachmentsOfComment(db, commentId)) {
        const files = deps.files;
        if (!files) return `attachment '${a.filename}' cannot be sent: the notifier has no attachment store (ESCALON_ATTACHMENTS_DIR)`;
        if (!(await files.exists(a.sha256))) return `attachment '${a.filename}' (${a.id}) is missing from the attachment store`;
        out.push({ filename: a.filename, contentType: a.contentType, open: () => lazyStream(() => files.get(a.sha256)) });
      }
    }
    return out;
  }

  /** Takes the recipient's other waiting rows about the ticket (same audience) into this message. */
  async function absorb(row: OutboxRow, head: MergeRowFacts, now: number, inHand: OutboxRow[], handled: Set<string>): Promise<OutboxRow[]> {
    const pool = [...inHand.filter((r) => !handled.has(r.id)), ...(await mergeCandidates(db, row, o.mergeWindowMs))];
    const byId = new Map(pool.map((r) => [r.id, r]));
    const chosen = pickAbsorbed(head, pool.map((r) => facts(r, JSON.parse(r.payload) as RowPayload, head.audience)), o.mergeWindowMs);
    const taken: OutboxRow[] = [];
    for (const c of chosen) {
      const candidate = byId.get(c.id);
      if (!candidate) continue;
      if (inHand.includes(candidate)) {
        // Claimed in this same pass: already ours.
        handled.add(candidate.id);
        taken.push(candidate);
        continue;
      }
      const r = await db
        .updateTable('outbox')
        .set({ status: 'sending', lease_until: deps.clock.now() + o.leaseMs, lease_owner: owner, message_id: candidate.message_id ?? candidate.id })
        .where('id', '=', candidate.id)
        .where('status', 'in', ['pending', 'held'])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) {
        inFlight.add(candidate.id);
        taken.push(candidate);
      }
    }
    return taken;
  }

  async function park(channel: string): Promise<void> {
    await db.updateTable('outbox').set({ status: 'waiting', last_error: `waiting: no ${channel} channel` }).where('channel', '=', channel).where('status', 'in', ['pending', 'held']).execute();
  }

  /** A message identical to one the recipient got within the window: recorded as that one, not sent again. */
  async function duplicate(row: OutboxRow, absorbed: OutboxRow[], now: number, payload: RowPayload): Promise<void> {
    await inTransaction(deps.store, undefined, async (trx, uow) => {
      for (const r of [row, ...absorbed]) {
        await trx
          .updateTable('outbox')
          .set({ status: 'merged', sent_at: now, lease_until: null, last_error: 'identical to a message sent within the merge window' })
          .where('id', '=', r.id)
          .execute();
        await appendEvent(trx, uow, r, now, 'notification.sent', { ...eventBase(r, r === row ? payload : (JSON.parse(r.payload) as RowPayload)), duplicate: true });
      }
    });
  }

  async function expire(now: number): Promise<void> {
    for (const row of await expiredWaiting(db, now, o.maxAgeMs)) {
      const reason = `expired: waited ${Math.round((now - row.created_at) / 3_600_000)} h with ${row.last_error ?? `no ${row.channel} channel`}`;
      await inTransaction(deps.store, undefined, async (trx, uow) => {
        const r = await trx.updateTable('outbox').set({ status: 'failed', lease_until: null, last_error: reason }).where('id', '=', row.id).where('status', '=', 'waiting').executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) await appendEvent(trx, uow, row, now, 'notification.failed', { ...eventBase(row, JSON.parse(row.payload) as RowPayload), final: true, expired: true, error: reason });
      });
    }
  }

  async function cancel(row: OutboxRow, now: number, reason: string, payload: RowPayload): Promise<void> {
    await inTransaction(deps.store, undefined, async (trx, uow) => {
      await trx.updateTable('outbox').set({ status: 'cancelled', lease_until: null, last_error: reason }).where('id', '=', row.id).execute();
      await appendEvent(trx, uow, row, now, 'notification.failed', { ...eventBase(row, payload), final: true, cancelled: true, error: reason });
    });
  }

  async function finish(row: OutboxRow, absorbed: OutboxRow[], now: number, outcome: DeliveryOutcome, payload: RowPayload, hash?: string): Promise<void> {
    const attempt = row.attempts + 1;
    const messageId = row.message_id ?? row.id;
    await inTransaction(deps.store, undefined, async (trx, uow) => {
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
        await trx.updateTable('outbox').set({ status: 'sent', sent_at: now, attempts: attempt, lease_until: null, last_error: null, content_hash: hash ?? null }).where('id', '=', row.id).execute();
        await appendEvent(trx, uow, row, now, 'notification.sent', { ...base, ...(absorbed.length > 0 && { merged: absorbed.map((a) => a.id) }) });
        for (const a of absorbed) {
          await trx.updateTable('outbox').set({ status: 'merged', merged_into: row.id, sent_at: now, lease_until: null }).where('id', '=', a.id).execute();
          await appendEvent(trx, uow, a, now, 'notification.sent', { ...eventBase(a, JSON.parse(a.payload) as RowPayload), merged_into: row.id, message_id: messageId });
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
      // Rows taken into a failed message wait again on their own (behind this one, in destination order).
      for (const a of absorbed) {
        await trx.updateTable('outbox').set({ status: 'pending', lease_until: null, next_attempt_at: retryAt ?? now }).where('id', '=', a.id).where('status', 'not in', FINAL).execute();
      }
      // One timeline line per message: a retry is a delivery row and the row's state, not an event.
      if (final) await appendEvent(trx, uow, row, now, 'notification.failed', { ...base, final, error: outcome.error });
    });
  }

  /** Gives back claimed rows this dispatcher never began (shutdown): due again at once, for any dispatcher. */
  async function releaseClaims(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await db
      .updateTable('outbox')
      .set({ status: 'pending', lease_until: null, lease_owner: null })
      .where('id', 'in', [...ids])
      .where('status', '=', 'sending')
      .where('lease_owner', '=', owner)
      .execute();
  }

  async function runDue(): Promise<number> {
    if (halted) return 0;
    const now = deps.clock.now();
    const have = Object.keys(deps.channels).filter((c) => deps.channels[c] !== undefined);
    await parkUnroutable(db, have);
    await resumeWaiting(db, have, now);
    await expire(now);
    const rows = await claimDue(db, deps.store.dialect, now, o.leaseMs, o.batchSize, owner);
    if (rows.length === 0) return 0;
    for (const row of rows) inFlight.add(row.id);
    const keeper = keepLeases(
      () => renewOutboxLeases(db, owner, [...inFlight], deps.clock.now() + o.leaseMs),
      Math.max(1, Math.floor(o.leaseMs / 3)),
      deps.onError,
    );
    let unbegun: string[] = [];
    try {
      unbegun = await work(rows, now);
    } finally {
      keeper.stop();
      inFlight.clear();
    }
    // Shutting down: the rows not begun go back now (their lease would otherwise hold them up to leaseMs).
    await releaseClaims(unbegun).catch((err: unknown) => deps.onError?.(err));
    return rows.length;
  }

  /** Works the claimed rows; returns those not begun because the dispatcher was halted meanwhile. */
  async function work(rows: OutboxRow[], now: number): Promise<string[]> {
    // Rows to one destination about one ticket go through one worker, in order, so the first can take in the others.
    const groups = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const key = `${row.ticket_id ?? row.id}\u0000${row.destination || `${row.channel}:${row.recipient}`}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const queue = [...groups.values()];
    const handled = new Set<string>();
    const unbegun: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < queue.length; i = next++) {
        const group = queue[i] as OutboxRow[];
        for (const row of group) {
          if (handled.has(row.id)) continue;
          handled.add(row.id);
          if (halted) {
            unbegun.push(row.id);
            continue;
          }
          try {
            await process(row, now, group, handled);
          } catch (err) {
            // An unexpected error (the database went away): the lease expires (no longer renewed)
            // and the row is retried.
            inFlight.delete(row.id);
            deps.onError?.(err);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, queue.length) }, worker));
    return unbegun;
  }

  return {
    runDue,
    halt() {
      halted = true;
    },
    async drain() {
      let total = 0;
      for (let n = await runDue(); n > 0; n = await runDue()) total += n;
      return total;
    },
  };
}

function facts(row: OutboxRow, payload: RowPayload, audience: string, urgent = payload.urgent === true): MergeRowFacts {
  return { id: row.id, createdAt: row.created_at, channel: row.channel, audience: payload.audience ?? audience, urgent, kind: payload.kind };
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

/** Records a delivery step in the ticket's timeline, through the one write path (rollups, change feed after commit). */
async function appendEvent(trx: Kysely<Database>, uow: UnitOfWork, row: OutboxRow, now: number, type: string, payload: Record<string, unknown>): Promise<void> {
  if (row.ticket_id === null) return;
  await appendTicketEvents(trx, uow, row.ticket_id, { at: now, recordedAt: now, actor: 'system' }, [{ type, payload, internal: true }]);
}

async function phoneOf(db: Kysely<Database>, address: string): Promise<string | null> {
  const u = await db.selectFrom('users').select('phone').where('email', '=', address.toLowerCase()).where('active', '=', 1).executeTakeFirst();
  return u?.phone ?? null;
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


/** A stream now for bytes that are opened asynchronously (the channel interface is synchronous). */
function lazyStream(open: () => Promise<Readable | null>): Readable {
  const out = new PassThrough();
  open().then(
    (src) => {
      if (!src) return out.destroy(new Error('attachment bytes are missing'));
      src.on('error', (err) => out.destroy(err));
      out.on('close', () => src.destroy());
      src.pipe(out);
    },
    (err: Error) => out.destroy(err),
  );
  return out;
}
