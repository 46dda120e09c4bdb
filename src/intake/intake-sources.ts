/**
 * Inbound webhook sources (SMS, chat, social providers), configured as JSON in
 * ESCALON_INTAKE_SOURCES: `{ "<name>": { "signing": { … }, "channel": "sms", "fields": { "from":
 * "From", "body": "Body", "external_id": "MessageSid", "name"?: …, "subject"?: …, "ticket"?: … },
 * "reply"?: { "url": "https://…", "secret": "whsec_…" } } }` — `reply` sends staff replies back
 * through the provider (channels/provider-reply.ts).
 * A field is a dotted path into the provider's JSON or form body (`data.message.text`).
 *
 * How a request proves it comes from the provider (intake/intake-signature.ts):
 * - `"signing": { "scheme": "standard-webhooks", "secret": "whsec_…" }` — Standard Webhooks
 *   (webhook-id, webhook-timestamp, webhook-signature; 5 minutes tolerance; an id is accepted once);
 * - `"signing": { "scheme": "twilio", "auth_token": "…", "url"?: "https://…" }` — Twilio's
 *   X-Twilio-Signature over the URL Twilio posted to (`url`, else ESCALON_PUBLIC_URL + the path);
 * - legacy, weaker: `"token": "…"` (or `"signing": { "scheme": "shared-token", "token": "…" }`) —
 *   the same secret in the header `x-escalon-intake-token` on every request: no body integrity, no
 *   replay protection, and whoever sees one request can send any.
 */
import { z } from 'zod';

const path = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be a dotted path such as data.from');

const whsec = z.string().regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'must be a Standard Webhooks secret: whsec_ followed by base64 (at least 16 characters)');

const signingSchema = z.discriminatedUnion('scheme', [
  z.strictObject({ scheme: z.literal('standard-webhooks'), secret: whsec }),
  z.strictObject({
    scheme: z.literal('twilio'),
    auth_token: z.string().min(16, "must be the account's auth token"),
    /** The URL configured at Twilio for this source (what Twilio signs); default ESCALON_PUBLIC_URL + /api/v1/intake/hooks/<name>. */
    url: z.string().url().refine((u) => /^https?:/i.test(u), 'must be an http or https URL').optional(),
  }),
  z.strictObject({ scheme: z.literal('shared-token'), token: z.string().min(16, 'must be at least 16 characters') }),
]);
export type IntakeSigning = z.infer<typeof signingSchema>;

const sourceSchema = z.strictObject({
  /** Legacy: a shared header token (x-escalon-intake-token); prefer `signing`. */
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  signing: signingSchema.optional(),
  channel: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a short lowercase channel name, e.g. sms'),
  fields: z.strictObject({ from: path, body: path, external_id: path, name: path.optional(), subject: path.optional(), ticket: path.optional() }),
  /** Where staff replies to this source's conversations go (a signed POST; channels/provider-reply.ts). */
  reply: z
    .strictObject({
      url: z.string().url('must be the provider\'s http(s) URL for outbound messages').refine((u) => /^https?:/i.test(u), 'must be an http or https URL'),
      secret: whsec,
    })
    .optional(),
});

const checkedSource = sourceSchema.refine((s) => (s.token === undefined) !== (s.signing === undefined), {
  message: 'give exactly one of "signing" ({ "scheme": "standard-webhooks" | "twilio" | "shared-token", … }) and the legacy "token"',
});

export type IntakeSource = z.infer<typeof sourceSchema>;

/** How a source's requests are checked; the legacy bare `token` is the shared-token scheme. */
export function signingOf(source: IntakeSource): IntakeSigning {
  if (source.signing) return source.signing;
  if (source.token !== undefined) return { scheme: 'shared-token', token: source.token };
  throw new Error('an intake source needs "signing" (or the legacy "token")');
}

export function parseIntakeSources(json: string | undefined): Record<string, IntakeSource> {
  if (!json) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`ESCALON_INTAKE_SOURCES: not JSON (${(err as Error).message})`);
  }
  const r = z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'source names are lowercase letters, digits and dashes'), checkedSource).safeParse(raw);
  if (!r.success) {
    throw new Error(`ESCALON_INTAKE_SOURCES:\n${r.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return r.data;
}

/** Reads a dotted path; only strings and numbers count as values. */
export function pick(body: unknown, dotted: string | undefined): string | undefined {
  if (!dotted) return undefined;
  let v: unknown = body;
  for (const part of dotted.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** A sender that is not an email address (a phone number, a chat handle) gets a stable pseudo-address. */
export function senderAddress(from: string, channel: string): string {
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(from)) return from.toLowerCase();
  const local = from.toLowerCase().replace(/[^a-z0-9+._-]/g, '').slice(0, 60) || 'unknown';
  return `${local}@${channel}.intake.invalid`;
}
