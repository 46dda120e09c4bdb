/**
 * SMS through a configurable HTTP provider: a POST to its URL with the number, the sender and
 * the text under field names of the admin's choosing, as JSON or as a form (Twilio-style),
 * with an Authorization header. The provider's URL is set by an admin, so it is trusted (no
 * SSRF guard); statuses map as for webhooks, without the endpoint bookkeeping.
 */
import type { Channel, DeliveryOutcome, OutgoingMessage } from './channel.ts';
import { postGuarded, retryAfterMs } from './http-post.ts';

export interface SmsOptions {
  url: string;
  authorization?: string | undefined;
  from?: string | undefined;
  format: 'json' | 'form';
  fields: { to: string; from: string; text: string };
  timeoutMs: number;
}

const MAX_SMS = 640;

export function createSmsChannel(o: SmsOptions): Channel {
  return {
    name: 'sms',
    async deliver(m: OutgoingMessage, at: number): Promise<DeliveryOutcome> {
      const text = m.subject.slice(0, MAX_SMS);
      const values: Record<string, string> = { [o.fields.to]: m.to, [o.fields.text]: text };
      if (o.from) values[o.fields.from] = o.from;
      const body = o.format === 'json' ? JSON.stringify(values) : new URLSearchParams(values).toString();
      const headers: Record<string, string> = {
        'content-type': o.format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
        'idempotency-key': m.messageId,
        ...(o.authorization && { authorization: o.authorization }),
      };
      try {
        const res = await postGuarded(o.url, { body, headers, timeoutMs: o.timeoutMs, allowPrivate: true });
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
