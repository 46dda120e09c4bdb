/**
 * Checking that an inbound provider webhook comes from the provider (ESCALON_INTAKE_SOURCES,
 * intake-sources.ts), before anything in it is read:
 *
 * - `standard-webhooks`: the `standardwebhooks` package of the spec's authors verifies
 *   `webhook-signature` over `${webhook-id}.${webhook-timestamp}.${raw body}` and refuses a
 *   timestamp more than 5 minutes from now (either way). A webhook-id is accepted once per source
 *   (`intake_webhook_ids`, kept for the tolerance window): a replay inside the window is
 *   INTAKE_REPLAYED, one outside it fails the timestamp check.
 * - `twilio`: X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + the form parameters sorted
 *   by name, each name followed by its value)); for a JSON body Twilio signs the URL, whose
 *   `bodySHA256` parameter is the hex SHA-256 of the body. Twilio sends no timestamp: a replayed
 *   message is answered `duplicate` through its MessageSid (inbound_messages), never opened twice.
 * - `shared-token` (legacy, the bare `token`): the header `x-escalon-intake-token` equals the
 *   secret. Weaker: nothing binds it to the body or the moment.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { DomainError } from '../domain/errors.ts';
import type { Database } from '../store/schema.ts';
import { signingOf, type IntakeSource } from './intake-sources.ts';

/** The spec's tolerance (the package's): a timestamp further than this from now is refused. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;

export interface SignedRequest {
  source: string;
  /** The body exactly as received. */
  raw: Buffer;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  contentType: string;
  /** The URL the provider posted to, as it saw it (scheme, host, path and query). */
  url: string;
}

const header = (h: SignedRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const invalid = (source: string, message: string, reason: string) => new DomainError('INTAKE_SIGNATURE_INVALID', message, { source, reason });

/**
 * Throws INTAKE_SIGNATURE_INVALID (missing or wrong), INTAKE_SIGNATURE_EXPIRED (stale or future
 * timestamp) or INTAKE_REPLAYED; records a Standard Webhooks id it accepts. `nowMs` is the
 * wall clock the package checks timestamps against.
 */
export async function verifyIntakeRequest(db: Kysely<Database>, def: IntakeSource, req: SignedRequest, nowMs = Date.now()): Promise<void> {
  const signing = signingOf(def);
  switch (signing.scheme) {
    case 'shared-token': {
      const token = header(req.headers, 'x-escalon-intake-token');
      if (token === undefined) throw invalid(req.source, 'missing x-escalon-intake-token for this source', 'missing');
      if (!sameText(token, signing.token)) throw invalid(req.source, 'wrong x-escalon-intake-token for this source', 'mismatch');
      return;
    }
    case 'twilio': {
      const given = header(req.headers, 'x-twilio-signature');
      if (given === undefined) throw invalid(req.source, 'missing X-Twilio-Signature: this source takes only requests signed by Twilio', 'missing');
      if (!twilioSignatureValid(signing.auth_token, given, signing.url ?? req.url, req.raw, req.contentType)) {
        throw invalid(req.source, `X-Twilio-Signature does not match (signed URL ${signing.url ?? req.url}: set "url" in the source to the exact webhook URL configured at Twilio)`, 'mismatch');
      }
      return;
    }
    case 'standard-webhooks': {
      const id = header(req.headers, 'webhook-id');
      const ts = header(req.headers, 'webhook-timestamp');
      const sig = header(req.headers, 'webhook-signature');
      if (!id || !ts || !sig) {
        throw invalid(req.source, 'missing Standard Webhooks headers: webhook-id, webhook-timestamp and webhook-signature are required', 'missing');
      }
      const seconds = Number(ts);
      if (!/^\d{1,12}$/.test(ts) || Math.abs(nowMs - seconds * 1000) > WEBHOOK_TOLERANCE_MS) {
        throw new DomainError('INTAKE_SIGNATURE_EXPIRED', `webhook-timestamp ${ts} is more than ${WEBHOOK_TOLERANCE_MS / 60_000} minutes from now: send it at once, with the current time`, {
          source: req.source,
          timestamp: ts,
          tolerance_s: WEBHOOK_TOLERANCE_MS / 1000,
        });
      }
      try {
        new Webhook(signing.secret).verify(req.raw, { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig }, { jsonParse: false });
      } catch (err) {
        if (!(err instanceof WebhookVerificationError)) throw err;
        if (/timestamp/i.test(err.message)) {
          throw new DomainError('INTAKE_SIGNATURE_EXPIRED', `webhook-timestamp ${ts} is outside the tolerance: ${err.message}`, { source: req.source, timestamp: ts, tolerance_s: WEBHOOK_TOLERANCE_MS / 1000 });
        }
        throw invalid(req.source, `webhook-signature does not match the body (${err.message}): sign with this source's whsec_ secret`, 'mismatch');
      }
      await rememberWebhookId(db, req.source, id, seconds * 1000, nowMs);
      return;
    }
  }
}

/** Records an accepted webhook-id; a second delivery of the same id is INTAKE_REPLAYED. */
async function rememberWebhookId(db: Kysely<Database>, source: string, id: string, signedAt: number, nowMs: number): Promise<void> {
  await db.deleteFrom('intake_webhook_ids').where('signed_at', '<', nowMs - 2 * WEBHOOK_TOLERANCE_MS).execute();
  const inserted = await db
    .insertInto('intake_webhook_ids')
    .values({ source, webhook_id: id.slice(0, 200), signed_at: signedAt })
    .onConflict((oc) => oc.columns(['source', 'webhook_id']).doNothing())
    .returning('webhook_id')
    .executeTakeFirst();
  if (!inserted) {
    throw new DomainError('INTAKE_REPLAYED', `webhook-id '${id}' was delivered already: a retry of a delivered webhook is not processed twice`, { source, webhook_id: id });
  }
}

/** Twilio's request signature (their "Webhooks security" scheme). */
export function twilioSignature(authToken: string, url: string, params: ReadonlyArray<readonly [string, string]>): string {
  const byName = new Map<string, string[]>();
  for (const [k, v] of params) byName.set(k, [...(byName.get(k) ?? []), v]);
  let data = url;
  for (const name of [...byName.keys()].sort()) {
    for (const value of (byName.get(name) ?? []).sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export function twilioSignatureValid(authToken: string, given: string, url: string, raw: Buffer, contentType: string): boolean {
  let params: Array<[string, string]> = [];
  const u = new URL(url);
  const bodyHash = u.searchParams.get('bodySHA256');
  if (bodyHash !== null) {
    if (!sameText(createHash('sha256').update(raw).digest('hex'), bodyHash.toLowerCase())) return false;
  } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
    params = [...new URLSearchParams(raw.toString('utf8'))];
  }
  // Twilio signs the URL as it was configured: with or without the default port.
  return urlVariants(u).some((candidate) => sameText(twilioSignature(authToken, candidate, params), given));
}

function urlVariants(u: URL): string[] {
  const plain = u.toString();
  const port = u.protocol === 'https:' ? '443' : '80';
  if (u.port) return [plain];
  const withPort = new URL(plain);
  const host = `${withPort.hostname}:${port}`;
  return [plain, plain.replace(withPort.host, host)];
}
