/**
 * Webhooks: Standard-Webhooks-signed JSON, or a Slack-style incoming webhook (`{ text }`),
 * chosen by the endpoint's kind. Outcomes, in order: a disabled endpoint fails at once; the
 * SSRF guard's refusal is permanent; 2xx is sent; 410 Gone disables the endpoint; 429 retries
 * no sooner than Retry-After; a 3xx (redirects are not followed), another status, a timeout
 * or a network error retries — and a run of `disableAfter` failures disables the endpoint.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { ensureEndpoint, recordEndpointFailure, recordEndpointSuccess, type WebhookEndpoint } from '../webhook-endpoints-repo.ts';
import { ForbiddenAddressError } from './address-guard.ts';
import type { Channel, DeliveryOutcome, OutgoingMessage } from './channel.ts';
import { postGuarded, retryAfterMs } from './http-post.ts';
import { webhookHeaders } from './webhook-signature.ts';

export interface WebhookOptions {
  timeoutMs: number;
  /** An admin's global allow for private addresses (ESCALON_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Consecutive failed attempts after which an endpoint is disabled. */
  disableAfter: number;
}

export function webhookBody(endpoint: WebhookEndpoint, m: OutgoingMessage, at: number): string {
  if (endpoint.kind === 'slack') return JSON.stringify({ text: `*${m.subject}*\n${m.text}` });
  return JSON.stringify({ type: 'escalon.notification', timestamp: new Date(at).toISOString(), data: { ...m.data, subject: m.subject, text: m.text } });
}

export function createWebhookChannel(db: Kysely<Database>, o: WebhookOptions): Channel {
  return {
    name: 'webhook',
    async deliver(m: OutgoingMessage, at: number): Promise<DeliveryOutcome> {
      const endpoint = await ensureEndpoint(db, m.to, at);
      if (!endpoint.enabled) return { kind: 'failed', error: `endpoint disabled: ${endpoint.disabledReason ?? 'by an admin'}` };
      const body = webhookBody(endpoint, m, at);
      const headers = endpoint.kind === 'standard' ? webhookHeaders(endpoint.secret, m.messageId, Math.floor(at / 1000), body) : {};
      const outcome = await attempt(m.to, body, headers, endpoint.allowPrivate || o.allowPrivate, o.timeoutMs, at);
      if (outcome.kind === 'sent') {
        if (endpoint.consecutiveFailures > 0) await recordEndpointSuccess(db, endpoint.id, at);
        return outcome;
      }
      const { disabled } = await recordEndpointFailure(db, endpoint.id, at, o.disableAfter, outcome.kind === 'failed' ? outcome.disableEndpoint : undefined);
      if (disabled && outcome.kind === 'retry') return { kind: 'failed', error: `${outcome.error}; endpoint disabled after repeated failures`, ...(outcome.statusCode !== undefined && { statusCode: outcome.statusCode }) };
      return outcome;
    },
  };
}

async function attempt(url: string, body: string, headers: Record<string, string>, allowPrivate: boolean, timeoutMs: number, at: number): Promise<DeliveryOutcome> {
  let res;
  try {
    res = await postGuarded(url, { body, headers, timeoutMs, allowPrivate });
  } catch (err) {
    if (err instanceof ForbiddenAddressError) return { kind: 'failed', error: err.message };
    return { kind: 'retry', error: (err as Error).message };
  }
  const s = res.status;
  if (s >= 200 && s < 300) return { kind: 'sent', statusCode: s };
  if (s === 410) return { kind: 'failed', statusCode: s, error: 'HTTP 410 Gone: the receiver asked to stop', disableEndpoint: 'the receiver answered 410 Gone' };
  if (s === 429) {
    const after = retryAfterMs(res.headers['retry-after'], at);
    return { kind: 'retry', statusCode: s, error: 'HTTP 429 Too Many Requests', ...(after !== undefined && { retryAfterMs: after }) };
  }
  if (s >= 300 && s < 400) return { kind: 'retry', statusCode: s, error: `HTTP ${s}: redirects are not followed (to ${String(res.headers.location ?? '?')})` };
  return { kind: 'retry', statusCode: s, error: `HTTP ${s}${res.body ? `: ${res.body.slice(0, 200)}` : ''}` };
}
