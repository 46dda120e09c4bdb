/**
 * The tamper-evident audit chain (docs/security.md, "Tamper-evident audit trail"): pure
 * arithmetic over one event at a time, no I/O.
 *
 * Each event has a position (`seq`, 1, 2, … per ticket, in the order the events were written)
 * and a `hash`:
 *
 *   hash = HMAC(key, "escalon-audit-v1" ⏎ previous hash ⏎ seq ⏎ id ⏎ ticket_id ⏎ at ⏎ recorded_at
 *                    ⏎ type ⏎ internal ⏎ sealed actor ⏎ sealed payload)
 *
 * where the first event's previous hash is the empty string. "Sealed" replaces every string
 * of the payload (and the actor) by a keyed digest of it (SHA-256 under the event's secret salt,
 * an HMAC of its id), bound to the string's place in the payload: the chain covers the personal content only through these
 * digests, so erasing a string (replacing it by PLACEHOLDER and keeping its digest in
 * `events.erased`) leaves every hash intact, while the digest still pins what was there.
 *
 * The key is derived from ESCALON_SECRET (HMAC), so someone with SQL access alone cannot
 * recompute a chain after an edit; without a secret a fixed key is used and the chain only
 * detects edits made without recomputing it (docs/security.md says so).
 */
import { createHmac, hash } from 'node:crypto';

export const PLACEHOLDER = '[erased]';
export const ERASED_EVENT = 'personal_data.erased';

/** `events.erased`: path → the erased string's digest and the erasure event that did it. */
export type ErasedLeaves = Record<string, { d: string; by: string }>;

let configured: Buffer | null = null;

/** The chain key for this process: from ESCALON_SECRET (or `secret`), derived once. */
export function auditKey(): Buffer {
  configured ??= deriveKey(process.env.ESCALON_SECRET);
  return configured;
}

/** Tests and tools: derive the key from another secret (undefined: the fixed default). */
export function setAuditSecret(secret: string | undefined): void {
  configured = deriveKey(secret);
}

function deriveKey(secret: string | undefined): Buffer {
  return createHmac('sha256', secret && secret.length > 0 ? secret : 'escalon-audit-default-key')
    .update('escalon audit chain v1')
    .digest();
}

/** The per-event secret salt of its string digests (one HMAC per event). */
export function eventSalt(key: Buffer, eventId: string): string {
  return createHmac('sha256', key).update(`salt\0${eventId}`).digest('hex');
}

/**
 * A string's digest at `path` of an event: SHA-256 of the event's secret salt, the path and the
 * string (one plain hash per string: the salt is what makes it keyed; without the key the
 * digest of a known string cannot be computed or confirmed).
 */
export function leafDigest(salt: string, path: string, value: string): string {
  return hash('sha256', `${salt}\0${path}\0${value}`);
}

const escapeKey = (k: string) => k.replaceAll('~', '~0').replaceAll('/', '~1');

/** Calls `fn` for every string leaf of `value` with its JSON-pointer-like path (root `/`). */
export function eachLeaf(value: unknown, fn: (path: string, s: string) => void, path = ''): void {
  if (typeof value === 'string') fn(path === '' ? '/' : path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => eachLeaf(v, fn, `${path}/${i}`));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) eachLeaf(v, fn, `${path}/${escapeKey(k)}`);
}

/** Returns a copy of `value` with the string at each path in `replace` swapped for the given text. */
export function replaceLeaves(value: unknown, replace: ReadonlyMap<string, string>, path = ''): unknown {
  if (typeof value === 'string') return replace.get(path === '' ? '/' : path) ?? value;
  if (Array.isArray(value)) return value.map((v, i) => replaceLeaves(v, replace, `${path}/${i}`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceLeaves(v, replace, `${path}/${escapeKey(k)}`);
    return out;
  }
  return value;
}

/** The canonical sealed text of a payload: keys sorted, strings by their digests (or the erased digest). */
function sealed(salt: string, value: unknown, erased: ErasedLeaves | null, path: string): string {
  if (typeof value === 'string') {
    const p = path === '' ? '/' : path;
    return JSON.stringify(erased?.[p]?.d ?? leafDigest(salt, p, value));
  }
  if (Array.isArray(value))
    return `[${value.map((v, i) => sealed(salt, v, erased, `${path}/${i}`)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sealed(salt, (value as Record<string, unknown>)[k], erased, `${path}/${escapeKey(k)}`)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface ChainEvent {
  id: string;
  ticketId: string;
  seq: number;
  at: number;
  recordedAt: number;
  type: string;
  actor: string;
  internal: boolean;
  /** The payload, parsed. */
  payload: unknown;
  erased: ErasedLeaves | null;
}

/** The actor is sealed as the leaf at path `$actor`. */
export const ACTOR_PATH = '$actor';

export function eventHash(key: Buffer, prev: string, e: ChainEvent): string {
  const salt = eventSalt(key, e.id);
  const actor = e.erased?.[ACTOR_PATH]?.d ?? leafDigest(salt, ACTOR_PATH, e.actor);
  return createHmac('sha256', key)
    .update(
      [
        'escalon-audit-v1',
        prev,
        String(e.seq),
        e.id,
        e.ticketId,
        String(e.at),
        String(e.recordedAt),
        e.type,
        e.internal ? '1' : '0',
        actor,
        sealed(salt, e.payload, e.erased, ''),
      ].join('\n'),
    )
    .digest('hex');
}

/** The digest an erasure event records over what it erased: (event id, path, digest) lines, sorted. */
export function erasureDigest(
  key: Buffer,
  entries: ReadonlyArray<{ eventId: string; path: string; d: string }>,
): string {
  const lines = entries.map((x) => `${x.eventId}\0${x.path}\0${x.d}`).sort();
  return createHmac('sha256', key)
    .update(`erasure\n${lines.join('\n')}`)
    .digest('hex');
}

/** An anchor's hash over every ticket's chain head: (ticket id, seq, hash) in ticket id order. */
export function anchorHash(
  key: Buffer,
  heads: ReadonlyArray<{ ticketId: string; seq: number; hash: string }>,
): string {
  const h = createHmac('sha256', key).update('escalon-anchor-v1\n');
  for (const x of heads) h.update(`${x.ticketId} ${x.seq} ${x.hash}\n`);
  return h.digest('hex');
}
