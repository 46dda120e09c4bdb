/**
 * Webhook endpoints, one row per URL a policy or an admin names. An endpoint is created the
 * first time a notification goes to its URL (with a fresh signing secret the admin reads from
 * the API), is switched off by a 410 or by failing too many times in a row, and can be
 * re-enabled, re-keyed or allowed to reach private addresses by an admin.
 */
import type { Kysely } from 'kysely';
import { newId } from '../store/new-id.ts';
import type { Database } from '../store/schema.ts';
import { newWebhookSecret } from './channels/webhook-signature.ts';

type Db = Kysely<Database>;

export interface WebhookEndpoint {
  id: string;
  url: string;
  kind: 'standard' | 'slack';
  secret: string;
  enabled: boolean;
  allowPrivate: boolean;
  consecutiveFailures: number;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

type Row = Database['webhook_endpoints'];

function toEndpoint(r: { [K in keyof Row]: Row[K] }): WebhookEndpoint {
  return {
    id: r.id,
    url: r.url,
    kind: r.kind === 'slack' ? 'slack' : 'standard',
    secret: r.secret,
    enabled: r.enabled === 1,
    allowPrivate: r.allow_private === 1,
    consecutiveFailures: r.consecutive_failures,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Slack-style incoming webhooks are recognised by their host; everything else is signed. */
export function kindOfUrl(url: string): 'standard' | 'slack' {
  try {
    return new URL(url).hostname === 'hooks.slack.com' ? 'slack' : 'standard';
  } catch {
    return 'standard';
  }
}

export async function findEndpointByUrl(db: Db, url: string): Promise<WebhookEndpoint | undefined> {
  const r = await db.selectFrom('webhook_endpoints').selectAll().where('url', '=', url).executeTakeFirst();
  return r ? toEndpoint(r) : undefined;
}

export async function findEndpoint(db: Db, id: string): Promise<WebhookEndpoint | undefined> {
  const r = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toEndpoint(r) : undefined;
}

export async function listEndpoints(db: Db): Promise<WebhookEndpoint[]> {
  return (await db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').execute()).map(toEndpoint);
}

export async function ensureEndpoint(db: Db, url: string, at: number, init: { kind?: 'standard' | 'slack'; allowPrivate?: boolean; secret?: string } = {}): Promise<WebhookEndpoint> {
  const found = await findEndpointByUrl(db, url);
  if (found) return found;
  await db
    .insertInto('webhook_endpoints')
    .values({
      id: newId(at),
      url,
      kind: init.kind ?? kindOfUrl(url),
      secret: init.secret ?? newWebhookSecret(),
      enabled: 1,
      allow_private: init.allowPrivate ? 1 : 0,
      consecutive_failures: 0,
      disabled_reason: null,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('url').doNothing())
    .execute();
  return (await findEndpointByUrl(db, url)) as WebhookEndpoint;
}

export async function updateEndpoint(
  db: Db,
  id: string,
  patch: { enabled?: boolean; allowPrivate?: boolean; secret?: string; kind?: 'standard' | 'slack' },
  at: number,
): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({
      updated_at: at,
      ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0, ...(patch.enabled && { consecutive_failures: 0, disabled_reason: null }) }),
      ...(patch.allowPrivate !== undefined && { allow_private: patch.allowPrivate ? 1 : 0 }),
      ...(patch.secret !== undefined && { secret: patch.secret }),
      ...(patch.kind !== undefined && { kind: patch.kind }),
    })
    .where('id', '=', id)
    .execute();
}

export async function recordEndpointSuccess(db: Db, id: string, at: number): Promise<void> {
  await db.updateTable('webhook_endpoints').set({ consecutive_failures: 0, updated_at: at }).where('id', '=', id).execute();
}

/** Counts a failure; disables the endpoint when told to or when the run of failures reaches `limit`. */
export async function recordEndpointFailure(db: Db, id: string, at: number, limit: number, disable?: string): Promise<{ disabled: boolean }> {
  const r = await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1), updated_at: at }))
    .where('id', '=', id)
    .returning('consecutive_failures')
    .executeTakeFirst();
  const failures = r?.consecutive_failures ?? 0;
  const reason = disable ?? (failures >= limit ? `failed ${failures} times in a row` : undefined);
  if (reason === undefined) return { disabled: false };
  await db.updateTable('webhook_endpoints').set({ enabled: 0, disabled_reason: reason, updated_at: at }).where('id', '=', id).execute();
  return { disabled: true };
}
