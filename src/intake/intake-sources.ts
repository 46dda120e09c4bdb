/**
 * Inbound webhook sources (SMS, chat, social providers), configured as JSON in
 * ESCALON_INTAKE_SOURCES: `{ "<name>": { "token": "...", "channel": "sms", "fields": { "from":
 * "From", "body": "Body", "external_id": "MessageSid", "name"?: …, "subject"?: …, "ticket"?: … },
 * "reply"?: { "url": "https://…", "secret": "whsec_…" } } }` — `reply` sends staff replies back
 * through the provider (channels/provider-reply.ts).
 * A field is a dotted path into the provider's JSON or form body (`data.message.text`).
 */
import { z } from 'zod';

const path = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be a dotted path such as data.from');

const sourceSchema = z.strictObject({
  token: z.string().min(16, 'must be at least 16 characters'),
  channel: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a short lowercase channel name, e.g. sms'),
  fields: z.strictObject({ from: path, body: path, external_id: path, name: path.optional(), subject: path.optional(), ticket: path.optional() }),
  /** Where staff replies to this source's conversations go (a signed POST; channels/provider-reply.ts). */
  reply: z
    .strictObject({
      url: z.string().url('must be the provider\'s http(s) URL for outbound messages').refine((u) => /^https?:/i.test(u), 'must be an http or https URL'),
      secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'must be a Standard Webhooks secret: whsec_ followed by base64 (at least 16 characters)'),
    })
    .optional(),
});

export type IntakeSource = z.infer<typeof sourceSchema>;

export function parseIntakeSources(json: string | undefined): Record<string, IntakeSource> {
  if (!json) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`ESCALON_INTAKE_SOURCES: not JSON (${(err as Error).message})`);
  }
  const r = z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'source names are lowercase letters, digits and dashes'), sourceSchema).safeParse(raw);
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
