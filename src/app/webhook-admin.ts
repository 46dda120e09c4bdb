/**
 * Webhook endpoints for admins (issue 13): register one by URL (before any policy names it),
 * its delivery log (the outbox rows addressed to its URL, newest first, with the last
 * attempt's HTTP status), and a test send — a signed `ping` queued through the outbox, so it
 * is delivered, retried and recorded exactly like a notification (notify/ping-message.ts).
 */
import { DomainError } from '../domain/errors.ts';
import { PING_TEMPLATE } from '../notify/ping-message.ts';
import { ensureEndpoint, findEndpoint, findEndpointByUrl, kindOfUrl, type WebhookEndpoint } from '../notify/webhook-endpoints-repo.ts';
import type { AppDeps } from './deps.ts';
import { queueTicketlessRow } from '../notify/standalone-message.ts';
import { inTransaction } from './unit-of-work.ts';

async function endpointOrThrow(deps: AppDeps, id: string): Promise<WebhookEndpoint> {
  const found = await findEndpoint(deps.store.db, id);
  if (!found) throw new DomainError('WEBHOOK_ENDPOINT_NOT_FOUND', `no webhook endpoint '${id}' (GET /api/v1/webhook-endpoints lists them)`, { id });
  return found;
}

/** A new endpoint for a URL (http or https only); its secret is shown by the caller once. */
export async function createWebhookEndpoint(deps: AppDeps, input: { url: string; kind?: 'standard' | 'slack'; allowPrivate?: boolean }): Promise<WebhookEndpoint> {
  let parsed: URL;
  try {
    parsed = new URL(input.url);
  } catch {
    throw new DomainError('VALIDATION_FAILED', `'${input.url}' is not an absolute URL (e.g. https://hooks.example.com/escalon)`, { field: 'url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new DomainError('WEBHOOK_URL_REFUSED', `a webhook URL must be http:// or https://, not ${parsed.protocol}`, { field: 'url' });
  }
  if (parsed.username || parsed.password) {
    throw new DomainError('WEBHOOK_URL_REFUSED', 'a webhook URL must not carry a user name or password; the receiver checks the signature instead', { field: 'url' });
  }
  const existing = await findEndpointByUrl(deps.store.db, input.url);
  if (existing) throw new DomainError('WEBHOOK_ENDPOINT_EXISTS', `an endpoint for ${input.url} already exists`, { id: existing.id });
  return ensureEndpoint(deps.store.db, input.url, deps.clock.now(), { kind: input.kind ?? kindOfUrl(input.url), allowPrivate: input.allowPrivate ?? false });
}

export interface DeliveryLogEntry {
  id: string;
  createdAt: number;
  event: string;
  ticketKey: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  lastStatusCode: number | null;
  sentAt: number | null;
  nextAttemptAt: number | null;
}

/** The endpoint's messages, newest first (at most `limit`). */
export async function webhookDeliveryLog(deps: AppDeps, id: string, limit = 50): Promise<{ endpoint: WebhookEndpoint; items: DeliveryLogEntry[] }> {
  const endpoint = await endpointOrThrow(deps, id);
  const db = deps.store.db;
  const rows = await db
    .selectFrom('outbox')
    .leftJoin('tickets', 'tickets.id', 'outbox.ticket_id')
    .select(['outbox.id', 'outbox.created_at', 'outbox.template', 'outbox.payload', 'outbox.status', 'outbox.attempts', 'outbox.last_error', 'outbox.sent_at', 'outbox.next_attempt_at', 'tickets.key as ticket_key'])
    .where('outbox.channel', '=', 'webhook')
    .where('outbox.recipient', '=', endpoint.url)
    .orderBy('outbox.created_at', 'desc')
    .orderBy('outbox.id', 'desc')
    .limit(limit)
    .execute();
  const codes = new Map<string, number | null>();
  if (rows.length > 0) {
    const attempts = await db
      .selectFrom('notification_deliveries')
      .select(['outbox_id', 'attempt', 'status_code'])
      .where(
        'outbox_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('attempt')
      .execute();
    for (const a of attempts) codes.set(a.outbox_id, a.status_code);
  }
  return {
    endpoint,
    items: rows.map((r) => {
      const payload = JSON.parse(r.payload) as { kind?: string; rule?: string };
      const pending = r.status === 'pending' || r.status === 'held' || r.status === 'waiting' || r.status === 'sending';
      return {
        id: r.id,
        createdAt: r.created_at,
        event: payload.kind === 'ping' ? 'ping' : payload.rule ? `${r.template} (rule ${payload.rule})` : r.template,
        ticketKey: r.ticket_key ?? null,
        status: r.status,
        attempts: r.attempts,
        lastError: r.last_error,
        lastStatusCode: codes.get(r.id) ?? null,
        sentAt: r.sent_at,
        nextAttemptAt: pending ? r.next_attempt_at : null,
      };
    }),
  };
}

/** Queues a signed test event to the endpoint; the dispatcher delivers it (a disabled endpoint fails it at once). */
export async function queueWebhookPing(deps: AppDeps, id: string, requestedBy: string): Promise<{ outboxId: string }> {
  const endpoint = await endpointOrThrow(deps, id);
  const at = deps.clock.now();
  let outboxId = '';
  await inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    outboxId = await queueTicketlessRow(trx, at, { channel: 'webhook', recipient: endpoint.url, template: PING_TEMPLATE, payload: { kind: 'ping', audience: 'internal', requested_by: requestedBy } });
    uow.outboxChanged();
  });
  return { outboxId };
}
