/**
 * Replies back through the SMS or chat provider a conversation came from: one channel per
 * intake source with a `reply` setting (ESCALON_INTAKE_SOURCES), named `reply:<source>`. A
 * Standard-Webhooks-signed JSON POST to the provider's (or a bridge's) URL:
 *   { "type": "escalon.reply", "timestamp": "…", "data": { "to": "+15550100", "text": "…",
 *     "ticket": "ESC-12", "source": "sms-gw", "message_id": "…" } }
 * `to` is the sender's number or handle as the intake received it. The URL is an admin's, so
 * private addresses are allowed; statuses map as for webhooks (2xx sent, 429 later, other 4xx
 * refused for good, else retried).
 */
import type { Channel, DeliveryOutcome, OutgoingMessage } from './channel.ts';
import { postGuarded, retryAfterMs } from './http-post.ts';
import { webhookHeaders } from './webhook-signature.ts';

export interface ProviderReplyOptions {
  source: string;
  url: string;
  secret: string;
  timeoutMs: number;
}

export function providerReplyBody(o: ProviderReplyOptions, m: OutgoingMessage, at: number): string {
  const text = typeof m.data.reply_text === 'string' ? m.data.reply_text : m.text;
  return JSON.stringify({ type: 'escalon.reply', timestamp: new Date(at).toISOString(), data: { to: m.to, text, ticket: m.ticketKey, source: o.source, message_id: m.messageId } });
}

export function createProviderReplyChannel(o: ProviderReplyOptions): Channel {
  return {
    name: `reply:${o.source}`,
    async deliver(m: OutgoingMessage, at: number): Promise<DeliveryOutcome> {
      const body = providerReplyBody(o, m, at);
      try {
        const res = await postGuarded(o.url, { body, headers: webhookHeaders(o.secret, m.messageId, Math.floor(at / 1000), body), timeoutMs: o.timeoutMs, allowPrivate: true });
        if (res.status >= 200 && res.status < 300) return { kind: 'sent', statusCode: res.status };
        if (res.status === 429) {
          const after = retryAfterMs(res.headers['retry-after'], at);
          return { kind: 'retry', statusCode: 429, error: 'provider rate limit', ...(after !== undefined && { retryAfterMs: after }) };
        }
        if (res.status >= 400 && res.status < 500 && res.status !== 408) return { kind: 'failed', statusCode: res.status, error: `provider refused: HTTP ${res.status} ${res.body.slice(0, 200)}` };
        return { kind: 'retry', statusCode: res.status, error: `provider HTTP ${res.status}` };
      } catch (err) {
        return { kind: 'retry', error: (err as Error).message };
      }
    },
  };
}
