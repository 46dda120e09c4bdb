/**
 * Standard Webhooks signing (https://www.standardwebhooks.com) through the `standardwebhooks`
 * package of the spec's authors: the signed content is `${webhook-id}.${webhook-timestamp}.${body}`,
 * HMAC-SHA256 with the secret's bytes (the base64 after `whsec_`), sent as
 * `webhook-signature: v1,<base64>`. Receivers verify with the same package (`Webhook.verify`),
 * which also refuses timestamps more than 5 minutes off.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  return new Webhook(secret).sign(id, new Date(timestampSeconds * 1000), body);
}

export function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signWebhook(secret, id, timestampSeconds, body) };
}
