/**
 * The audit chain in the database (store/audit-chain.ts has the arithmetic): chain heads read
 * under the ticket row lock, the backfill of unchained events, verification of every chain,
 * and anchors.
 */
import type { Kysely } from 'kysely';
import {
  ACTOR_PATH,
  anchorHash,
  auditKey,
  ERASED_EVENT,
  erasureDigest,
  eventHash,
  PLACEHOLDER,
  type ChainEvent,
  type ErasedLeaves,
} from './audit-chain.ts';
import { pgBulkUpdate, rawRows, sqliteUpdateRow } from './bulk.ts';
import type { Dialect } from './connect.ts';
import { newId } from './new-id.ts';
import type { Database, EventsTable } from './schema.ts';

type Db = Kysely<Database>;

export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * The chain heads of `ids`, read in the writer's transaction. PostgreSQL: `FOR UPDATE`, in id
 * order — the rows are normally locked already by the change; taking the lock here as well
 * means no two transactions can ever extend one ticket's chain from the same head (the second
 * waits, then reads the first one's new head).
 */
export async function readChainHeads(
  db: Db,
  dialect: Dialect,
  ids: readonly string[],
): Promise<Map<string, ChainHead>> {
  const out = new Map<string, ChainHead>();
  if (ids.length === 0) return out;
  const sorted = [...ids].sort();
  const rows =
    dialect === 'postgres'
      ? await rawRows<{ id: string; audit_seq: number | string; audit_head: string | null }>(
          db,
          'select id, audit_seq, audit_head from tickets where id = any($1::text[]) order by id for update',
          [sorted],
        )
      : await rawRows<{ id: string; audit_seq: number; audit_head: string | null }>(
          db,
          'select id, audit_seq, audit_head from tickets where id in (select value from json_each(?))',
          [JSON.stringify(sorted)],
        );
  for (const r of rows) out.set(r.id, { seq: Number(r.audit_seq), hash: r.audit_head ?? '' });
  return out;
}

/** An event row as read back, the chain's columns present (null before chaining). */
type EventRow = Required<EventsTable>;

function chainEvent(r: EventRow, seq: number, payload: unknown): ChainEvent {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    seq,
    at: Number(r.at),
    recordedAt: Number(r.recorded_at),
    type: r.type,
    actor: r.actor,
    internal: Number(r.internal) === 1,
    payload,
    erased: r.erased ? (JSON.parse(r.erased) as ErasedLeaves) : null,
  };
}

/**
 * Chains every ticket whose events were written before the chain existed (migration 0025):
 * per ticket in (recorded_at, at, id) order. A ticket with a chain already is left alone.
 */
export async function backfillChains(db: Db, dialect: Dialect): Promise<number> {
  const key = auditKey();
  const ids = (
    await db.selectFrom('tickets').select('id').where('audit_seq', '=', 0).orderBy('id').execute()
  ).map((r) => r.id);
  let chained = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = (await db
      .selectFrom('events')
      .selectAll()
      .where('ticket_id', 'in', chunk)
      .where('seq', 'is', null)
      .orderBy('ticket_id')
      .orderBy('recorded_at')
      .orderBy('at')
      .orderBy('id')
      .execute()) as EventRow[];
    const eventUpdates: Array<{ key: string; guard: null; values: unknown[] }> = [];
    const heads = new Map<string, ChainHead>();
    for (const r of rows) {
      const head = heads.get(r.ticket_id) ?? { seq: 0, hash: '' };
      const seq = head.seq + 1;
      const hash = eventHash(key, head.hash, chainEvent(r, seq, JSON.parse(r.payload)));
      heads.set(r.ticket_id, { seq, hash });
      eventUpdates.push({ key: r.id, guard: null, values: [seq, hash] });
    }
    const ticketUpdates = [...heads].map(([id, h]) => ({ key: id, guard: null, values: [h.seq, h.hash] }));
    if (dialect === 'postgres') {
      await pgBulkUpdate(
        db,
        'events',
        'id',
        null,
        [
          { name: 'seq', pg: 'int8' },
          { name: 'hash', pg: 'text' },
        ],
        eventUpdates,
      );
      await pgBulkUpdate(
        db,
        'tickets',
        'id',
        null,
        [
          { name: 'audit_seq', pg: 'int8' },
          { name: 'audit_head', pg: 'text' },
        ],
        ticketUpdates,
      );
    } else {
      for (const u of eventUpdates)
        await sqliteUpdateRow(db, 'events', 'id', u.key, null, [
          ['seq', u.values[0]],
          ['hash', u.values[1]],
        ]);
      for (const u of ticketUpdates)
        await sqliteUpdateRow(db, 'tickets', 'id', u.key, null, [
          ['audit_seq', u.values[0]],
          ['audit_head', u.values[1]],
        ]);
    }
    chained += eventUpdates.length;
  }
  return chained;
}

export interface AuditProblem {
  ticket: string;
  /** The position in the ticket's chain (null: the ticket as a whole). */
  position: number | null;
  eventId: string | null;
  kind: 'edited' | 'deleted' | 'reordered' | 'inserted' | 'head' | 'erasure' | 'anchor';
  message: string;
}

export interface AnchorCheck {
  hash: string;
  found: boolean;
  at: number | null;
  ok: boolean;
  message: string;
}

export interface VerifyResult {
  tickets: number;
  events: number;
  problems: AuditProblem[];
  anchors: AnchorCheck[];
}

/** How many problems are reported at most (the count is exact). */
const MAX_REPORTED = 1000;

/**
 * Recomputes every ticket's chain from its stored events and reports what does not match:
 * an edited event (its hash), a missing position (a deleted event), an event whose hash fits
 * another position (reordered), an event outside the chain, a head that is not the last event,
 * an erased string without its recorded erasure. `anchors`: hashes to check (an operator's
 * copy), besides the latest anchor stored.
 */
export async function verifyAudit(
  db: Db,
  opts: { anchors?: readonly string[]; ticketIds?: readonly string[]; skipAnchors?: boolean } = {},
): Promise<VerifyResult> {
  const key = auditKey();
  const problems: AuditProblem[] = [];
  let problemCount = 0;
  const report = (p: AuditProblem) => {
    problemCount++;
    if (problems.length < MAX_REPORTED) problems.push(p);
  };
  // The anchors to check and the positions they need.
  const wanted = [...new Set(opts.anchors ?? [])];
  const latest = opts.skipAnchors
    ? undefined
    : await db
        .selectFrom('audit_anchors')
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
  const anchorRows = new Map<string, { at: number; heads: Array<[string, number]> } | null>();
  if (latest)
    anchorRows.set(latest.hash, {
      at: Number(latest.at),
      heads: JSON.parse(latest.heads) as Array<[string, number]>,
    });
  for (const h of wanted) {
    if (anchorRows.has(h)) continue;
    const row = await db.selectFrom('audit_anchors').selectAll().where('hash', '=', h).executeTakeFirst();
    anchorRows.set(
      h,
      row ? { at: Number(row.at), heads: JSON.parse(row.heads) as Array<[string, number]> } : null,
    );
  }
  const need = new Map<string, Set<number>>();
  for (const a of anchorRows.values())
    for (const [t, s] of a?.heads ?? []) (need.get(t) ?? need.set(t, new Set()).get(t)!).add(s);
  const seen = new Map<string, string>();

  // Tickets 500 at a time in id order (keyset pages: memory stays flat however many there are).
  let ticketCount = 0;
  let events = 0;
  let after = '';
  for (;;) {
    let tq = db
      .selectFrom('tickets')
      .select(['id', 'key', 'audit_seq', 'audit_head'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500);
    if (opts.ticketIds)
      tq = opts.ticketIds.length ? tq.where('id', 'in', [...opts.ticketIds]) : tq.where('id', '=', '');
    const chunk = await tq.execute();
    if (chunk.length === 0) break;
    after = chunk[chunk.length - 1]!.id;
    ticketCount += chunk.length;
    const rows = (await db
      .selectFrom('events')
      .selectAll()
      .where(
        'ticket_id',
        'in',
        chunk.map((t) => t.id),
      )
      .execute()) as EventRow[];
    const byTicket = new Map<string, EventRow[]>();
    for (const r of rows)
      (byTicket.get(r.ticket_id) ?? byTicket.set(r.ticket_id, []).get(r.ticket_id)!).push(r);
    for (const t of chunk) {
      const list = byTicket.get(t.id) ?? [];
      events += list.length;
      verifyTicket(key, t.key, Number(t.audit_seq), t.audit_head, list, report, need.get(t.id), seen);
    }
  }
  const keyOf = async (id: string) =>
    (await db.selectFrom('tickets').select('key').where('id', '=', id).executeTakeFirst())?.key ?? id;
  // Events of tickets that no longer exist cannot be (the foreign key); nothing else to scan.
  const anchors: AnchorCheck[] = [];
  for (const [hash, a] of anchorRows) {
    if (!a) {
      anchors.push({
        hash,
        found: false,
        at: null,
        ok: false,
        message: `anchor ${hash} is not in the anchors table: it was deleted, or the hash is not one this database made`,
      });
      report({
        ticket: '-',
        position: null,
        eventId: null,
        kind: 'anchor',
        message: anchors[anchors.length - 1]!.message,
      });
      continue;
    }
    const heads = a.heads.map(([t, s]) => ({ ticketId: t, seq: s, hash: seen.get(`${t} ${s}`) ?? '' }));
    const missing = heads.filter((h) => h.hash === '');
    const ok = anchorHash(key, heads) === hash;
    const what =
      missing.length > 0
        ? `; ${missing.length} position(s) it covers are missing, e.g. ticket ${await keyOf(missing[0]!.ticketId)} position ${missing[0]!.seq}`
        : '';
    anchors.push({
      hash,
      found: true,
      at: a.at,
      ok,
      message: ok
        ? `anchor ${hash} of ${new Date(a.at).toISOString()} matches (${heads.length} tickets)`
        : `anchor ${hash} of ${new Date(a.at).toISOString()} does NOT match the events it covers${what}`,
    });
    if (!ok)
      report({
        ticket: '-',
        position: null,
        eventId: null,
        kind: 'anchor',
        message: anchors[anchors.length - 1]!.message,
      });
  }
  if (problemCount > problems.length)
    problems.push({
      ticket: '-',
      position: null,
      eventId: null,
      kind: 'edited',
      message: `… and ${problemCount - problems.length} more problem(s)`,
    });
  return { tickets: ticketCount, events, problems, anchors };
}

function verifyTicket(
  key: Buffer,
  ticketKey: string,
  headSeq: number,
  headHash: string | null,
  rows: EventRow[],
  report: (p: AuditProblem) => void,
  need: Set<number> | undefined,
  seen: Map<string, string>,
): void {
  const chained = rows
    .filter((r) => r.seq !== null && r.seq !== undefined)
    .sort((a, b) => Number(a.seq) - Number(b.seq) || (a.id < b.id ? -1 : 1));
  for (const r of rows) {
    if (r.seq === null || r.seq === undefined)
      report({
        ticket: ticketKey,
        position: null,
        eventId: r.id,
        kind: 'inserted',
        message: `ticket ${ticketKey}: event ${r.id} (${r.type}) is not in the chain: inserted outside Escalon`,
      });
  }
  const parsed = chained.map((r) => {
    try {
      return JSON.parse(r.payload) as unknown;
    } catch {
      return { $unparsable: r.payload };
    }
  });
  // Erased strings, by the erasure event that recorded them.
  const erasures = new Map<string, Array<{ eventId: string; path: string; d: string }>>();
  let prev = '';
  let expected = 1;
  let lastHash = '';
  let last = 0;
  chained.forEach((r, i) => {
    const seq = Number(r.seq);
    const ce = chainEvent(r, seq, parsed[i]);
    if (need?.has(seq)) seen.set(`${r.ticket_id} ${seq}`, r.hash ?? '');
    if (seq < expected) {
      report({
        ticket: ticketKey,
        position: seq,
        eventId: r.id,
        kind: 'reordered',
        message: `ticket ${ticketKey} position ${seq}: a second event (${r.id}, ${r.type}) claims this position`,
      });
      return;
    }
    if (seq > expected) {
      report({
        ticket: ticketKey,
        position: expected,
        eventId: null,
        kind: 'deleted',
        message: `ticket ${ticketKey} position ${expected}${seq - 1 > expected ? `–${seq - 1}` : ''}: event(s) missing (deleted)`,
      });
    }
    const computed = eventHash(key, prev, ce);
    if (computed !== r.hash) {
      // Does it fit elsewhere in the chain (moved), or is it edited?
      // (A hint only: every earlier hash × every position, for tickets of a size where that is cheap.)
      let moved: number | null = null;
      if (chained.length <= 200) {
        for (let j = -1; j < chained.length && moved === null; j++) {
          const p = j < 0 ? '' : (chained[j]!.hash ?? '');
          for (let s = 1; s <= chained.length + 1 && moved === null; s++)
            if (s !== seq && eventHash(key, p, { ...ce, seq: s }) === r.hash) moved = s;
        }
      }
      if (moved !== null)
        report({
          ticket: ticketKey,
          position: seq,
          eventId: r.id,
          kind: 'reordered',
          message: `ticket ${ticketKey} position ${seq}: event ${r.id} (${r.type}) was written at position ${moved} (reordered)`,
        });
      else
        report({
          ticket: ticketKey,
          position: seq,
          eventId: r.id,
          kind: 'edited',
          message: `ticket ${ticketKey} position ${seq}: event ${r.id} (${r.type}) does not match its hash (edited)`,
        });
    }
    for (const [path, x] of Object.entries(ce.erased ?? {})) {
      const value = path === ACTOR_PATH ? r.actor : leafAt(parsed[i], path);
      if (value !== PLACEHOLDER)
        report({
          ticket: ticketKey,
          position: seq,
          eventId: r.id,
          kind: 'erasure',
          message: `ticket ${ticketKey} position ${seq}: erased field ${path} holds something other than the placeholder (edited)`,
        });
      (erasures.get(x.by) ?? erasures.set(x.by, []).get(x.by)!).push({ eventId: r.id, path, d: x.d });
    }
    prev = r.hash ?? '';
    lastHash = prev;
    last = seq;
    expected = seq + 1;
  });
  // Every erased string is accounted for by a chained erasure event that lists exactly what it erased.
  const erasureEvents = new Map(
    chained
      .map((r, i) => [r.id, { r, p: parsed[i] as Record<string, unknown> }] as const)
      .filter(([, x]) => x.r.type === ERASED_EVENT),
  );
  for (const [by, entries] of erasures) {
    const e = erasureEvents.get(by);
    if (!e) {
      report({
        ticket: ticketKey,
        position: null,
        eventId: entries[0]?.eventId ?? null,
        kind: 'erasure',
        message: `ticket ${ticketKey}: ${entries.length} erased field(s) name an erasure (${by}) that is not recorded on the ticket`,
      });
      continue;
    }
    if (e.p.digest !== erasureDigest(key, entries)) {
      report({
        ticket: ticketKey,
        position: Number(e.r.seq),
        eventId: by,
        kind: 'erasure',
        message: `ticket ${ticketKey} position ${Number(e.r.seq)}: the erasure recorded here does not match the fields marked erased by it`,
      });
    }
  }
  for (const [id, e] of erasureEvents) {
    if (!erasures.has(id) && typeof e.p.digest === 'string' && Number(e.p.fields ?? 0) > 0) {
      report({
        ticket: ticketKey,
        position: Number(e.r.seq),
        eventId: id,
        kind: 'erasure',
        message: `ticket ${ticketKey} position ${Number(e.r.seq)}: the erasure recorded here erased ${String(e.p.fields)} field(s), none of which is marked`,
      });
    }
  }
  if (last !== headSeq) {
    report({
      ticket: ticketKey,
      position: last < headSeq ? last + 1 : headSeq,
      eventId: null,
      kind: last < headSeq ? 'deleted' : 'head',
      message:
        last < headSeq
          ? `ticket ${ticketKey} position ${last + 1}${headSeq > last + 1 ? `–${headSeq}` : ''}: the last event(s) are missing (deleted)`
          : `ticket ${ticketKey}: the chain head says position ${headSeq}, the events go to ${last}`,
    });
  } else if ((headHash ?? '') !== lastHash) {
    report({
      ticket: ticketKey,
      position: last,
      eventId: null,
      kind: 'head',
      message: `ticket ${ticketKey}: the chain head's hash is not the last event's (the head or the last event was edited)`,
    });
  }
}

function leafAt(value: unknown, path: string): unknown {
  if (path === '/') return value;
  let v: unknown = value;
  for (const raw of path.slice(1).split('/')) {
    const k = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export interface Anchor {
  id: string;
  at: number;
  hash: string;
  tickets: number;
  events: number;
}

/** Takes an anchor: every ticket's chain head, hashed, stored (and returned for the log). */
export async function writeAnchor(
  db: Db,
  at: number,
  createdBy: string,
  opts: { skipIfUnchanged?: boolean } = {},
): Promise<Anchor & { unchanged?: boolean }> {
  const key = auditKey();
  {
    const rows = await db
      .selectFrom('tickets')
      .select(['id', 'audit_seq', 'audit_head'])
      .where('audit_seq', '>', 0)
      .execute();
    const heads = rows
      .map((r) => ({ ticketId: r.id, seq: Number(r.audit_seq), hash: r.audit_head ?? '' }))
      .sort((a, b) => (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0));
    const anchor: Anchor = {
      id: newId(at),
      at,
      hash: anchorHash(key, heads),
      tickets: heads.length,
      events: heads.reduce((n, h) => n + h.seq, 0),
    };
    // Nothing written since the latest anchor: it still covers everything (no new row).
    if (opts.skipIfUnchanged) {
      const last = await latestAnchor(db);
      if (last && last.hash === anchor.hash) return { ...last, unchanged: true };
    }
    await db
      .insertInto('audit_anchors')
      .values({
        ...anchor,
        heads: JSON.stringify(heads.map((h) => [h.ticketId, h.seq])),
        created_by: createdBy,
      })
      .execute();
    return anchor;
  }
}

export async function latestAnchor(db: Db): Promise<Anchor | null> {
  const r = await db
    .selectFrom('audit_anchors')
    .select(['id', 'at', 'hash', 'tickets', 'events'])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r
    ? { id: r.id, at: Number(r.at), hash: r.hash, tickets: Number(r.tickets), events: Number(r.events) }
    : null;
}
