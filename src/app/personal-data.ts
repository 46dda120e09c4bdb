/**
 * A requester's personal data: export everything about them as JSON, and erase them
 * (docs/security.md, "Personal data: export and erasure"). Admins only (the routes and the CLI).
 *
 * Erasure replaces the requester's name, email, phone and message texts by PLACEHOLDER
 * wherever they are — their account, their tickets' subject and description, their comments,
 * attachments (bytes deleted), survey comments, held web-form messages, raw inbound mail,
 * notifications to them, CC lists (their address removed), and any text elsewhere that quotes
 * them (staff replies on their tickets keep their words, with the requester's name, address,
 * phone and quoted texts cut out). Ticket structure, SLA and escalation history stay: reports
 * give the same figures. Event payloads are erased string by string through the audit chain's
 * sealing (store/audit-chain.ts): each erased string keeps its keyed digest in `events.erased`,
 * and each affected ticket gets a `personal_data.erased` event (actor: the admin; payload: the
 * requester's id, how many strings, a digest over what was erased — no personal data), so
 * `escalon audit verify` still passes and tells an erasure from a tamper.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { DomainError } from '../domain/errors.ts';
import {
  auditKey,
  eachLeaf,
  ERASED_EVENT,
  erasureDigest,
  eventSalt,
  leafDigest,
  PLACEHOLDER,
  replaceLeaves,
  ACTOR_PATH,
  type ErasedLeaves,
} from '../store/audit-chain.ts';
import { verifyAudit } from '../store/audit-repo.ts';
import { rawRows } from '../store/bulk.ts';
import type { Dialect } from '../store/connect.ts';
import { clearThrottle, deleteUserDevices } from '../store/login-throttle-repo.ts';
import type { Database } from '../store/schema.ts';
import { appendTicketEvents } from './append-ticket-events.ts';
import type { AppDeps } from './deps.ts';
import { endUserAccess } from './end-access.ts';
import { revocationFeed } from './revocations.ts';
import { inTransaction } from './unit-of-work.ts';

type Db = Kysely<Database>;

/** Texts shorter than this are not searched for elsewhere (too likely to match innocent words). */
const MIN_TEXT = 8;
/** Lines of a requester's message at least this long are searched for on their own (quoted replies). */
const MIN_LINE = 20;

export interface Requester {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  role: string;
  organizationId: string | null;
  erasedAt: number | null;
}

/** The requester by id or email; USER_NOT_FOUND when none, INVALID_REQUESTER for a staff account. */
export async function findRequester(db: Db, ref: { id?: string; email?: string }): Promise<Requester> {
  let q = db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'phone', 'role', 'organization_id', 'erased_at']);
  q =
    ref.id !== undefined
      ? q.where('id', '=', ref.id)
      : q.where('email', '=', (ref.email ?? '').trim().toLowerCase());
  const u = await q.executeTakeFirst();
  if (!u) {
    const what = ref.id !== undefined ? `id '${ref.id}'` : `email '${ref.email ?? ''}'`;
    throw new DomainError(
      'USER_NOT_FOUND',
      `no requester with ${what} (an erased requester is no longer found by their old address)`,
      ref.id !== undefined ? { user_id: ref.id } : { email: ref.email ?? '' },
    );
  }
  if (u.role !== 'customer') {
    throw new DomainError(
      'INVALID_REQUESTER',
      `${u.email} is a staff account (${u.role}), not a requester: deactivate it instead`,
      { user_id: u.id },
    );
  }
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    phone: u.phone ?? null,
    role: u.role,
    organizationId: u.organization_id,
    erasedAt: u.erased_at == null ? null : Number(u.erased_at),
  };
}

const parse = (s: string | null): unknown => {
  if (s === null) return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
};

/** Everything stored about a requester, as one JSON document. */
export async function exportRequester(
  deps: AppDeps,
  ref: { id?: string; email?: string },
): Promise<Record<string, unknown>> {
  const db = deps.store.db;
  const r = await findRequester(db, ref);
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'phone', 'time_zone', 'active', 'created_at', 'erased_at'])
    .where('id', '=', r.id)
    .executeTakeFirstOrThrow();
  const org = r.organizationId
    ? await db
        .selectFrom('organizations')
        .select(['id', 'name', 'tier'])
        .where('id', '=', r.organizationId)
        .executeTakeFirst()
    : undefined;
  const requested = await db
    .selectFrom('tickets')
    .select([
      'id',
      'key',
      'subject',
      'body',
      'status',
      'priority',
      'channel',
      'category',
      'tags',
      'team',
      'level',
      'created_at',
      'updated_at',
      'solved_at',
    ])
    .where('requester_id', '=', r.id)
    .orderBy('created_at')
    .execute();
  const ccRows = await db
    .selectFrom('ticket_ccs')
    .innerJoin('tickets', 'tickets.id', 'ticket_ccs.ticket_id')
    .select(['tickets.id', 'tickets.key', 'tickets.subject', 'ticket_ccs.address', 'ticket_ccs.added_at'])
    .where('ticket_ccs.address', '=', r.email.toLowerCase())
    .execute();
  const keyOf = new Map<string, string>([
    ...requested.map((t) => [t.id, t.key] as const),
    ...ccRows.map((t) => [t.id, t.key] as const),
  ]);
  const keyFor = async (id: string | null): Promise<string | null> => {
    if (id === null) return null;
    if (!keyOf.has(id))
      keyOf.set(
        id,
        (await db.selectFrom('tickets').select('key').where('id', '=', id).executeTakeFirst())?.key ?? id,
      );
    return keyOf.get(id) ?? id;
  };
  const comments = await db
    .selectFrom('comments')
    .select(['id', 'ticket_id', 'public', 'body', 'created_at'])
    .where('author_id', '=', r.id)
    .orderBy('created_at')
    .execute();
  const attachments = await db
    .selectFrom('attachments')
    .select(['id', 'ticket_id', 'comment_id', 'filename', 'content_type', 'size', 'sha256', 'created_at'])
    .where('uploaded_by', '=', r.id)
    .orderBy('created_at')
    .execute();
  const ids = requested.map((t) => t.id);
  const surveys = ids.length
    ? await db.selectFrom('csat_responses').selectAll().where('ticket_id', 'in', ids).execute()
    : [];
  const addresses = [r.email.toLowerCase(), ...(r.phone ? [r.phone] : [])];
  const notifications = await db
    .selectFrom('outbox')
    .select(['id', 'ticket_id', 'channel', 'recipient', 'template', 'status', 'created_at', 'sent_at'])
    .where('recipient', 'in', addresses)
    .orderBy('created_at')
    .execute();
  const holds = await db
    .selectFrom('intake_holds')
    .select(['id', 'email', 'name', 'subject', 'body', 'status', 'created_at', 'ticket_id'])
    .where('email', '=', r.email.toLowerCase())
    .execute();
  // Events mentioning them: by them, or naming their id or address (a scan of the candidates' text).
  const needles = [r.id, r.email.toLowerCase()];
  const events = await eventsMentioning(deps.store.db, deps.store.dialect, needles, `user:${r.id}`);
  return {
    exported_at: new Date(deps.clock.now()).toISOString(),
    person: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      phone: user.phone ?? null,
      time_zone: user.time_zone ?? null,
      active: Number(user.active) === 1,
      created_at: iso(user.created_at),
      erased_at: user.erased_at == null ? null : iso(user.erased_at),
    },
    organization: org ? { id: org.id, name: org.name, tier: org.tier } : null,
    tickets_requested: requested.map((t) => ({
      key: t.key,
      subject: t.subject,
      body: t.body,
      status: t.status,
      priority: t.priority,
      channel: t.channel,
      category: t.category,
      tags: parse(t.tags),
      team: t.team,
      level: t.level,
      created_at: iso(t.created_at),
      updated_at: iso(t.updated_at),
      solved_at: t.solved_at == null ? null : iso(t.solved_at),
    })),
    tickets_cc: ccRows.map((t) => ({
      key: t.key,
      subject: t.subject,
      address: t.address,
      added_at: iso(t.added_at),
    })),
    comments: await Promise.all(
      comments.map(async (c) => ({
        id: c.id,
        ticket: await keyFor(c.ticket_id),
        public: Number(c.public) === 1,
        body: c.body,
        created_at: iso(c.created_at),
      })),
    ),
    attachments: await Promise.all(
      attachments.map(async (a) => ({
        id: a.id,
        ticket: await keyFor(a.ticket_id),
        comment_id: a.comment_id,
        filename: a.filename,
        content_type: a.content_type,
        size: Number(a.size),
        sha256: a.sha256,
        created_at: iso(a.created_at),
      })),
    ),
    events: await Promise.all(
      events.map(async (e) => ({
        ticket: await keyFor(e.ticket_id),
        id: e.id,
        at: iso(e.at),
        type: e.type,
        actor: e.actor,
        internal: Number(e.internal) === 1,
        payload: parse(e.payload),
      })),
    ),
    notifications: await Promise.all(
      notifications.map(async (n) => ({
        id: n.id,
        ticket: await keyFor(n.ticket_id),
        channel: n.channel,
        recipient: n.recipient,
        template: n.template,
        status: n.status,
        created_at: iso(n.created_at),
        sent_at: n.sent_at == null ? null : iso(n.sent_at),
      })),
    ),
    survey_ratings: await Promise.all(
      surveys.map(async (s) => ({
        ticket: await keyFor(s.ticket_id),
        rating: Number(s.rating),
        comment: s.comment,
        received_at: iso(s.received_at),
      })),
    ),
    held_web_messages: holds.map((h) => ({
      id: h.id,
      email: h.email,
      name: h.name,
      subject: h.subject,
      body: h.body,
      status: h.status,
      created_at: iso(h.created_at),
    })),
  };
}

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

interface EventRowLite {
  id: string;
  ticket_id: string;
  at: number;
  type: string;
  actor: string;
  payload: string;
  internal: number;
  erased: string | null;
}

/** Events whose actor is `actor`, or whose payload or actor contains one of `needles` (verbatim). */
async function eventsMentioning(
  db: Db,
  dialect: Dialect,
  needles: readonly string[],
  actor: string | null,
  ticketIds: readonly string[] = [],
): Promise<EventRowLite[]> {
  const cols = 'id, ticket_id, at, type, actor, payload, internal, erased';
  const rows =
    dialect === 'postgres'
      ? await rawRows<EventRowLite>(
          db,
          `select ${cols} from events where actor = $1 or ticket_id = any($3::text[]) or exists (select 1 from unnest($2::text[]) n where strpos(payload, n) > 0 or strpos(actor, n) > 0) order by ticket_id, seq`,
          [actor ?? '', [...needles], [...ticketIds]],
        )
      : await rawRows<EventRowLite>(
          db,
          `select ${cols} from events where actor = ? or ticket_id in (select value from json_each(?)) or exists (select 1 from json_each(?) n where instr(payload, n.value) > 0 or instr(actor, n.value) > 0) order by ticket_id, seq`,
          [actor ?? '', JSON.stringify(ticketIds), JSON.stringify(needles)],
        );
  return rows;
}

export interface ErasureResult {
  requester_id: string;
  already_erased: boolean;
  tickets: string[];
  event_fields: number;
  comments: number;
  attachments: number;
  other_rows: number;
}

/** The strings to remove: the person's own values and texts (and their JSON-escaped forms). */
function needlesFor(
  r: Requester,
  texts: readonly string[],
): { identity: string[]; texts: string[]; exact: string[]; nameParts: string[] } {
  const add = (into: Set<string>, s: string | null | undefined, min: number) => {
    const t = (s ?? '').trim();
    if (t.length < min || t === PLACEHOLDER) return;
    into.add(t);
    const escaped = JSON.stringify(t).slice(1, -1);
    if (escaped !== t) into.add(escaped);
  };
  const identity = new Set<string>();
  add(identity, r.email, 3);
  add(identity, r.email.toLowerCase(), 3);
  if (r.erasedAt === null) add(identity, r.name, 3);
  add(identity, r.phone, 5);
  const said = new Set<string>();
  for (const text of texts) {
    add(said, text, MIN_TEXT);
    for (const line of text.split(/\r?\n/)) add(said, line.replace(/^[>\s]+/, ''), MIN_LINE);
  }
  const nameParts =
    r.erasedAt === null ? r.name.split(/\s+/).filter((p) => p.length >= 3 && p !== PLACEHOLDER) : [];
  // Longest first: a text containing a shorter needle is replaced whole before its parts.
  const byLength = (a: string, b: string) => b.length - a.length;
  return {
    identity: [...identity].sort(byLength),
    texts: [...said].sort(byLength),
    exact: [...identity, ...said].sort(byLength),
    nameParts,
  };
}

function redact(text: string, exact: readonly string[], nameParts: readonly string[]): string {
  let out = text;
  for (const n of exact) if (out.includes(n)) out = out.split(n).join(PLACEHOLDER);
  const lower = out.toLowerCase();
  for (const n of exact) {
    const ln = n.toLowerCase();
    if (ln !== n && lower.includes(ln))
      out = out.replace(new RegExp(ln.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), PLACEHOLDER);
  }
  for (const p of nameParts)
    out = out.replace(new RegExp(`\\b${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'), PLACEHOLDER);
  return out;
}

const mentions = (s: string, exact: readonly string[]) => {
  const lower = s.toLowerCase();
  return exact.some((n) => lower.includes(n.toLowerCase()));
};

/**
 * Erases a requester (see the module comment). `actor`: the admin (`user:<id>`), or `system`
 * from the command line without --by, recorded as the actor of the erasure events. Erasing an erased requester again is harmless: nothing changes.
 */
export async function eraseRequester(
  deps: AppDeps,
  ref: { id?: string; email?: string },
  actor: string,
): Promise<ErasureResult> {
  const found = await findRequester(deps.store.db, ref);
  const bytesToDrop: string[] = [];
  const result = await inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
    const r = await findRequester(trx, { id: found.id });
    const at = deps.clock.now();
    const dialect = deps.store.dialect;
    const email = r.email.toLowerCase();
    // Their texts, gathered before anything is replaced.
    const requested = await trx
      .selectFrom('tickets')
      .select(['id', 'key', 'subject', 'body'])
      .where('requester_id', '=', r.id)
      .execute();
    const ownComments = await trx
      .selectFrom('comments')
      .select(['id', 'ticket_id', 'body'])
      .where('author_id', '=', r.id)
      .execute();
    const surveys = requested.length
      ? await trx
          .selectFrom('csat_responses')
          .select(['ticket_id', 'comment'])
          .where(
            'ticket_id',
            'in',
            requested.map((t) => t.id),
          )
          .execute()
      : [];
    const holds = await trx
      .selectFrom('intake_holds')
      .select(['id', 'subject', 'body'])
      .where('email', '=', email)
      .execute();
    const texts = [
      ...requested.flatMap((t) => [t.subject, t.body]),
      ...ownComments.map((c) => c.body),
      ...surveys.map((s) => s.comment ?? ''),
      ...holds.flatMap((h) => [h.subject, h.body]),
    ].filter((t) => t !== PLACEHOLDER);
    const { identity, texts: said, exact, nameParts } = needlesFor(r, texts);
    const cc = await trx.selectFrom('ticket_ccs').select('ticket_id').where('address', '=', email).execute();
    const affected = new Map<string, string>();
    for (const t of requested) affected.set(t.id, t.key);
    const extraIds = [
      ...new Set([...cc.map((c) => c.ticket_id), ...ownComments.map((c) => c.ticket_id)]),
    ].filter((id) => !affected.has(id));
    if (extraIds.length)
      for (const t of await trx
        .selectFrom('tickets')
        .select(['id', 'key'])
        .where('id', 'in', extraIds)
        .execute())
        affected.set(t.id, t.key);

    // The audit chains of the tickets touched must verify before anything is erased: an erasure
    // must never launder an earlier tamper into a recorded change.
    const core = new Set(affected.keys());
    const candidates = await eventsMentioning(trx, dialect, identity, null, [...affected.keys()]);
    for (const e of candidates)
      if (!affected.has(e.ticket_id))
        affected.set(
          e.ticket_id,
          (await trx.selectFrom('tickets').select('key').where('id', '=', e.ticket_id).executeTakeFirst())
            ?.key ?? e.ticket_id,
        );
    if (r.erasedAt === null || candidates.length > 0) {
      const check = await verifyAudit(trx, { ticketIds: [...affected.keys()], skipAnchors: true });
      if (check.problems.length > 0) {
        throw new DomainError(
          'AUDIT_CHAIN_BROKEN',
          `the audit chain of a ticket to erase does not verify (${check.problems[0]?.message ?? ''}); nothing was erased: run \`escalon audit verify\`, find out what happened, and restore the events from a backup`,
          {
            problems: check.problems.slice(0, 10).map((p) => p.message),
          },
        );
      }
    }

    // Event payloads, string by string, through the chain's sealing.
    const key = auditKey();
    const perTicket = new Map<
      string,
      Array<{
        row: EventRowLite;
        payload: unknown;
        replace: Map<string, string>;
        erased: ErasedLeaves;
        entries: Array<{ eventId: string; path: string; d: string }>;
      }>
    >();
    for (const e of candidates) {
      const payload = JSON.parse(e.payload) as unknown;
      const replace = new Map<string, string>();
      const erased: ErasedLeaves = e.erased ? (JSON.parse(e.erased) as ErasedLeaves) : {};
      const entries: Array<{ eventId: string; path: string; d: string }> = [];
      const salt = eventSalt(key, e.id);
      // Their texts are looked for on their tickets (and those they are copied on) only; who they are, everywhere.
      const look = core.has(e.ticket_id) ? exact : identity;
      eachLeaf(payload, (path, s) => {
        if (s !== PLACEHOLDER && !erased[path] && mentions(s, look)) {
          replace.set(path, PLACEHOLDER);
          entries.push({ eventId: e.id, path, d: leafDigest(salt, path, s) });
        }
      });
      if (e.actor !== PLACEHOLDER && !erased[ACTOR_PATH] && mentions(e.actor, identity))
        entries.push({ eventId: e.id, path: ACTOR_PATH, d: leafDigest(salt, ACTOR_PATH, e.actor) });
      if (entries.length === 0) continue;
      const list = perTicket.get(e.ticket_id) ?? perTicket.set(e.ticket_id, []).get(e.ticket_id)!;
      list.push({ row: e, payload, replace, erased, entries });
    }
    let eventFields = 0;
    const alreadyErased = r.erasedAt !== null && perTicket.size === 0;
    const recordOn = alreadyErased ? [] : [...affected.keys()];
    for (const ticketId of recordOn) {
      const list = perTicket.get(ticketId) ?? [];
      const entries = list.flatMap((x) => x.entries);
      const [recorded] = await appendTicketEvents(trx, uow, ticketId, { at, recordedAt: at, actor }, [
        {
          type: ERASED_EVENT,
          payload: { requester_id: r.id, fields: entries.length, digest: erasureDigest(key, entries) },
          internal: true,
        },
      ]);
      for (const x of list) {
        for (const en of x.entries) x.erased[en.path] = { d: en.d, by: recorded!.id };
        const patch: { payload: string; erased: string; actor?: string } = {
          payload: JSON.stringify(replaceLeaves(x.payload, x.replace)),
          erased: JSON.stringify(x.erased),
        };
        if (x.entries.some((en) => en.path === ACTOR_PATH)) patch.actor = PLACEHOLDER;
        await trx.updateTable('events').set(patch).where('id', '=', x.row.id).execute();
      }
      eventFields += entries.length;
    }

    // Their own records.
    const ids = requested.map((t) => t.id);
    if (ids.length)
      await trx
        .updateTable('tickets')
        .set({ subject: PLACEHOLDER, body: PLACEHOLDER })
        .where('id', 'in', ids)
        .execute();
    if (ownComments.length)
      await trx.updateTable('comments').set({ body: PLACEHOLDER }).where('author_id', '=', r.id).execute();
    if (ids.length)
      await trx
        .updateTable('csat_responses')
        .set({ comment: PLACEHOLDER })
        .where('ticket_id', 'in', ids)
        .where('comment', 'is not', null)
        .execute();
    await trx
      .updateTable('intake_holds')
      .set({ email: PLACEHOLDER, name: PLACEHOLDER, subject: PLACEHOLDER, body: PLACEHOLDER })
      .where('email', '=', email)
      .execute();
    await trx.deleteFrom('ticket_ccs').where('address', '=', email).execute();
    const uploads = await trx
      .selectFrom('attachments')
      .select(['id', 'sha256'])
      .where('uploaded_by', '=', r.id)
      .execute();
    if (uploads.length) {
      await trx
        .updateTable('attachments')
        .set({ filename: PLACEHOLDER })
        .where('uploaded_by', '=', r.id)
        .execute();
      for (const u of uploads) {
        const shared = await trx
          .selectFrom('attachments')
          .select('id')
          .where('sha256', '=', u.sha256)
          .where('uploaded_by', '!=', r.id)
          .executeTakeFirst();
        if (!shared) bytesToDrop.push(u.sha256);
      }
    }
    const inbound = await trx
      .updateTable('inbound_messages')
      .set({ sender: PLACEHOLDER, reply_to: null, raw: new Uint8Array(0) })
      .where((eb) =>
        eb.or([
          eb('sender', '=', email),
          eb('sender', '=', r.email),
          ...(ids.length ? [eb('ticket_id', 'in', ids)] : []),
        ]),
      )
      .executeTakeFirst();
    const addresses = [email, r.email, ...(r.phone ? [r.phone] : [])];
    await trx
      .updateTable('outbox')
      .set({ status: 'cancelled', last_error: 'recipient erased' })
      .where('recipient', 'in', addresses)
      .where('status', 'in', ['pending', 'held'])
      .execute();
    await trx
      .updateTable('outbox')
      .set({ recipient: PLACEHOLDER, destination: PLACEHOLDER, payload: '{}' })
      .where('recipient', 'in', addresses)
      .execute();
    await trx
      .updateTable('notification_deliveries')
      .set({ recipient: PLACEHOLDER })
      .where('recipient', 'in', addresses)
      .execute();
    // Engine state, risk memo, other people's texts on the affected tickets, and anything else
    // that quotes them: every text column of every other table.
    const other = await sweep(trx, dialect, identity, said, [...affected.keys()], nameParts);
    // The account: no sign-in ever again.
    if (r.erasedAt === null) {
      await endUserAccess(trx, r.id, at, 'deactivated');
      await deleteUserDevices(trx, r.id);
      await clearThrottle(trx, r.email);
      await trx.deleteFrom('password_links').where('user_id', '=', r.id).execute();
      await trx
        .updateTable('users')
        .set({
          name: PLACEHOLDER,
          email: `erased-${r.id}@erased.invalid`,
          phone: null,
          time_zone: null,
          password_hash: null,
          active: 0,
          erased_at: at,
        })
        .where('id', '=', r.id)
        .execute();
    }
    return {
      requester_id: r.id,
      already_erased: alreadyErased,
      tickets: recordOn.map((id) => affected.get(id) ?? id).sort(),
      event_fields: eventFields,
      comments: ownComments.length,
      attachments: uploads.length,
      other_rows: other + Number(inbound.numUpdatedRows ?? 0),
    } satisfies ErasureResult;
  });
  revocationFeed.publish({ userId: found.id });
  // Bytes go once the rows no longer point at them (a crash in between leaves only an orphan file).
  if (deps.files?.remove) for (const sha of bytesToDrop) await deps.files.remove(sha);
  return result;
}

/**
 * Tables the sweep leaves alone: the chain (handled above), credentials, bookkeeping, and
 * configuration that would change behaviour (policies, templates, organizations, webhooks: if
 * they name the requester, an admin edits them). Risk models are swept: a model's requester
 * encoder may hold their address (it becomes the placeholder's entry).
 */
const SWEEP_SKIP = new Set([
  'events',
  'audit_anchors',
  'schema_migrations',
  'schema_migrations_lock',
  'users',
  'api_tokens',
  'sessions',
  'login_devices',
  'password_links',
  'counters',
  'policies',
  'notification_templates',
  'organizations',
  'webhook_endpoints',
]);

/**
 * Replaces what identifies the requester (`identity`: address, name, phone) in every text
 * column of every other table, and their message texts (`texts`) in the rows of the affected
 * tickets (a table with `ticket_id`; `tickets` by id) — SQL `replace` where the column contains
 * one. The affected tickets' comments and reviews by others also lose the requester's name
 * parts as whole words ("Hi Zelda,"). Returns the rows changed.
 */
async function sweep(
  trx: Db,
  dialect: Dialect,
  identity: readonly string[],
  texts: readonly string[],
  ticketIds: readonly string[],
  nameParts: readonly string[],
): Promise<number> {
  let changed = 0;
  const pg = dialect === 'postgres';
  if (nameParts.length && ticketIds.length) {
    for (const table of ['comments', 'ticket_reviews'] as const) {
      const rows = await rawRows<Record<string, string>>(
        trx,
        `select * from ${table} where ticket_id ${pg ? '= any($1::text[])' : 'in (select value from json_each(?))'}`,
        [pg ? [...ticketIds] : JSON.stringify(ticketIds)],
      );
      for (const row of rows) {
        const set: Record<string, string> = {};
        for (const [col, v] of Object.entries(row)) {
          if (
            typeof v !== 'string' ||
            col === 'id' ||
            col.endsWith('_id') ||
            col.endsWith('_by') ||
            col === 'author_role'
          )
            continue;
          const next = redact(v, [...identity, ...texts], nameParts);
          if (next !== v) set[col] = next;
        }
        if (Object.keys(set).length === 0) continue;
        if (table === 'comments')
          await trx.updateTable('comments').set(set).where('id', '=', row.id!).execute();
        else
          await trx.updateTable('ticket_reviews').set(set).where('ticket_id', '=', row.ticket_id!).execute();
        changed++;
      }
    }
  }
  const run = async (table: string, column: string, needles: readonly string[], scope: string | null) => {
    if (needles.length === 0) return;
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return pg ? `$${params.length}` : '?';
    };
    let expr = `"${column}"`;
    for (const n of needles) expr = `replace(${expr}, ${p(n)}, '${PLACEHOLDER}')`;
    const cond = needles
      .map((n) => (pg ? `strpos("${column}", ${p(n)}) > 0` : `instr("${column}", ${p(n)}) > 0`))
      .join(' or ');
    const scoped = scope
      ? ` and "${scope}" ${pg ? `= any(${p([...ticketIds])}::text[])` : `in (select value from json_each(${p(JSON.stringify(ticketIds))}))`}`
      : '';
    const r = await trx.executeQuery(
      CompiledQuery.raw(`update "${table}" set "${column}" = ${expr} where (${cond})${scoped}`, params),
    );
    changed += Number(r.numAffectedRows ?? 0);
  };
  const tables = await trx.introspection.getTables();
  for (const t of tables) {
    if (SWEEP_SKIP.has(t.name) || t.isView) continue;
    const scope =
      t.name === 'tickets' ? 'id' : t.columns.some((c) => c.name === 'ticket_id') ? 'ticket_id' : null;
    for (const c of t.columns) {
      if (!/^(text|character varying|varchar|character)$/i.test(c.dataType)) continue;
      await run(t.name, c.name, identity, null);
      if (scope && ticketIds.length) await run(t.name, c.name, texts, scope);
    }
  }
  return changed;
}
