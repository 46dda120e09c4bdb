// Issue 16 item 5: a requester's personal data exported and erased — no trace of their name,
// email, phone or texts in any text column of any table, the KPI report unchanged, the audit
// chain still verifying (and a tamper after erasure still found), admins only.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { fireDueTimers } from '../../src/app/fire-timers.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { createUser } from '../../src/app/create-user.ts';
import { createToken } from '../../src/app/create-token.ts';
import { register as registerAudit } from '../../src/cli/audit.ts';
import { register as registerRequester } from '../../src/cli/requester.ts';
import { diskByteStore } from '../../src/store/byte-store.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';
import { multipart } from '../helpers/multipart.ts';
import { runCli } from '../helpers/run-cli.ts';

const NAME = 'Zelda Quistorp';
const PHONE = '+15557654321';
const SUBJECT = 'Quistorp household invoice shows three seats';
const BODY =
  'Please call me back, the second charge of 99 dollars is wrong.\nMy account number is QX-5512-ZQ.';
const COMMENT = 'Still waiting: the refund for QX-5512-ZQ has not arrived.';
const PASSWORD = 'plum tractor velvet 42';
const PERIOD = 'from=2026-03-01&to=2026-03-31&tz=UTC&as_of=2026-04-01T00:00:00Z';

describeStores('personal data: export and erasure', (ctx) => {
  let t: TestApp;
  let dir: string;
  let email = '';
  let zeldaId = '';
  let zeldaAuth: { authorization: string };
  let own = '';
  let ccd = '';
  const audit = (args: string[] = []) => runCli([registerAudit], ['audit', 'verify', ...args], ctx.url);
  const requesterCli = (args: string[]) => runCli([registerRequester], ['requester', ...args], ctx.url);
  const kpis = async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/v1/reports/kpis?${PERIOD}`,
      headers: t.auth('manager'),
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };

  /** Every text (and blob) column of every table holding one of `needles`: "table.column". */
  async function traces(needles: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const table of await ctx.store.db.introspection.getTables()) {
      for (const c of table.columns) {
        const blob = /^(blob|bytea)$/i.test(c.dataType);
        if (!blob && !/^(text|character varying|varchar)$/i.test(c.dataType)) continue;
        for (const n of needles) {
          const q =
            ctx.store.dialect === 'postgres'
              ? blob
                ? sql`select count(*) as n from ${sql.table(table.name)} where position(convert_to(${n}, 'UTF8') in ${sql.ref(c.name)}) > 0`
                : sql`select count(*) as n from ${sql.table(table.name)} where strpos(lower(${sql.ref(c.name)}), lower(${n})) > 0`
              : blob
                ? sql`select count(*) as n from ${sql.table(table.name)} where instr(${sql.ref(c.name)}, cast(${n} as blob)) > 0`
                : sql`select count(*) as n from ${sql.table(table.name)} where instr(lower(${sql.ref(c.name)}), lower(${n})) > 0`;
          const r = await q.execute(ctx.store.db);
          if (Number((r.rows[0] as { n: number | string }).n) > 0)
            found.push(`${table.name}.${c.name} ∋ ${n}`);
        }
      }
    }
    return found;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'escalon-pd-'));
    t = await makeTestApp(ctx.store, { files: diskByteStore(dir) });
    await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
    email = `zelda.quistorp-${Math.random().toString(36).slice(2, 8)}@quistorp.example`;
    const z = await createUser(t.deps, {
      email,
      name: NAME,
      role: 'customer',
      organizationId: t.cast.actors.customerA.organizationId,
      password: PASSWORD,
    });
    zeldaId = z.id;
    await ctx.store.db.updateTable('users').set({ phone: PHONE }).where('id', '=', z.id).execute();
    zeldaAuth = {
      authorization: `Bearer ${(await createToken(t.deps, { user: { id: z.id }, name: 'zelda' })).secret}`,
    };

    // Her upload, her ticket, her reply; an agent's reply quoting her and greeting her by name.
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      ...(() => {
        const m = multipart([
          {
            filename: 'quistorp-invoice.pdf',
            contentType: 'application/pdf',
            content: Buffer.from('%PDF-1.4 Zelda Quistorp invoice bytes'),
          },
        ]);
        return { payload: m.payload, headers: { ...m.headers, ...zeldaAuth } };
      })(),
    });
    expect(up.statusCode, up.body).toBe(201);
    const attachmentId = up.json<{ items: Array<{ id: string }> }>().items[0]!.id;
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: zeldaAuth,
      payload: { subject: SUBJECT, body: BODY, attachment_ids: [attachmentId] },
    });
    expect(made.statusCode, made.body).toBe(201);
    own = made.json<{ key: string }>().key;
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${own}/comments`,
      headers: t.auth('agent'),
      payload: {
        body: `Hi Zelda, thanks. You wrote: "${COMMENT.slice(0, 10)}" — we are on it, ${NAME}.`,
        public: true,
      },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    const hers = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${own}/comments`,
      headers: zeldaAuth,
      payload: { body: COMMENT, public: true },
    });
    expect(hers.statusCode, hers.body).toBe(201);
    const quote = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${own}/comments`,
      headers: t.auth('agent'),
      payload: { body: `> ${COMMENT}\nRefund sent to ${email}.`, public: false },
    });
    expect(quote.statusCode, quote.body).toBe(201);
    // A colleague's ticket she is copied on.
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: t.auth('customerA'),
      payload: { subject: 'Office printer', body: 'Jammed again.' },
    });
    ccd = other.json<{ key: string }>().key;
    const cc = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/tickets/${ccd}/ccs`,
      headers: t.auth('agent'),
      payload: { ccs: [email, 'someone.else@acme.example'] },
    });
    expect(cc.statusCode, cc.body).toBe(200);
    // Time passes: SLA warnings, breaches and escalations fire (the history reports are made of).
    for (let h = 0; h < 30; h++) {
      t.deps.clock.advance(3_600_000);
      await fireDueTimers({ store: ctx.store, clock: t.deps.clock, live: t.deps.live, owner: 'test' });
    }
  });
  afterAll(async () => {
    await t.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('only admins may export or erase; an unknown requester is a clear 404; a staff account is refused', async () => {
    for (const who of ['manager', 'lead', 'agent', 'customerA'] as const) {
      expect(
        (
          await t.app.inject({
            method: 'GET',
            url: `/api/v1/requesters/${zeldaId}/personal-data`,
            headers: t.auth(who),
          })
        ).statusCode,
      ).toBe(403);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/requesters/${zeldaId}/erase`,
            headers: t.auth(who),
            payload: { confirm: true },
          })
        ).statusCode,
      ).toBe(403);
    }
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/requesters/no-such-person/erase',
      headers: t.auth('admin'),
      payload: { confirm: true },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'USER_NOT_FOUND' } });
    expect(unknown.body).toContain("no requester with id 'no-such-person'");
    const staff = await t.app.inject({
      method: 'GET',
      url: `/api/v1/requesters/${t.cast.actors.agent.userId}/personal-data`,
      headers: t.auth('admin'),
    });
    expect(staff.statusCode).toBe(422);
    expect(staff.json()).toMatchObject({ error: { code: 'INVALID_REQUESTER' } });
    const unconfirmed = await t.app.inject({
      method: 'POST',
      url: `/api/v1/requesters/${zeldaId}/erase`,
      headers: t.auth('admin'),
      payload: {},
    });
    expect(unconfirmed.statusCode).toBe(400);
    const cli = await requesterCli(['erase', email]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('add --confirm');
  });

  it('the export holds the person, organization, tickets requested and copied on, texts, attachments, events, notifications', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/v1/requesters/${zeldaId}/personal-data`,
      headers: t.auth('admin'),
    });
    expect(r.statusCode, r.body).toBe(200);
    const doc = r.json<{
      person: unknown;
      organization: unknown;
      tickets_requested: unknown[];
      tickets_cc: unknown[];
      comments: unknown[];
      attachments: unknown[];
      events: Array<{ type: string }>;
      notifications: Array<{ recipient: string }>;
    }>();
    expect(doc.person).toMatchObject({
      id: zeldaId,
      email,
      name: NAME,
      phone: PHONE,
      role: 'customer',
      active: true,
      erased_at: null,
    });
    expect(doc.organization).toMatchObject({ id: t.cast.actors.customerA.organizationId });
    expect(doc.tickets_requested).toEqual([
      expect.objectContaining({ key: own, subject: SUBJECT, body: BODY }),
    ]);
    expect(doc.tickets_cc).toEqual([expect.objectContaining({ key: ccd, address: email })]);
    expect(doc.comments).toEqual([expect.objectContaining({ ticket: own, body: COMMENT, public: true })]);
    expect(doc.attachments).toEqual([
      expect.objectContaining({
        ticket: own,
        filename: 'quistorp-invoice.pdf',
        content_type: 'application/pdf',
      }),
    ]);
    expect(doc.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ticket.created', 'comment.added']),
    );
    expect(doc.notifications.length).toBeGreaterThan(0);
    expect(doc.notifications.every((n) => n.recipient === email || n.recipient === PHONE)).toBe(true);
    const cli = await requesterCli(['export', email]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).person.email).toBe(email);
  });

  it('erasure: no trace anywhere, the KPI report unchanged, the chain verifies, sign-in refused, erasing twice harmless', async () => {
    // A stored risk model whose requester encoder learned her address (a stand-in row: never put in force here).
    await ctx.store.db
      .insertInto('risk_models')
      .values({
        version: -1,
        model_id: 'pd-test',
        model: JSON.stringify({ encoders: { requester: { [email]: 0.8 } } }),
        meta: '{}',
        activated_at: 0,
        activated_by: null,
      })
      .execute();
    const needles = [email, NAME, 'Quistorp', PHONE, SUBJECT, BODY.split('\n')[0]!, 'QX-5512-ZQ', COMMENT];
    expect((await traces(needles)).length).toBeGreaterThan(5);
    expect((await audit()).code).toBe(0);
    const before = await kpis();
    const bytesBefore = readdirSync(dir, { recursive: true }).filter((f) =>
      /[0-9a-f]{64}$/.test(String(f)),
    ).length;

    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/requesters/${zeldaId}/erase`,
      headers: t.auth('admin'),
      payload: { confirm: true },
    });
    expect(r.statusCode, r.body).toBe(200);
    const res = r.json<{
      already_erased: boolean;
      tickets: string[];
      event_fields: number;
      attachments: number;
    }>();
    expect(res.already_erased).toBe(false);
    expect(res.tickets.sort()).toEqual([own, ccd].sort());
    expect(res.attachments).toBe(1);

    expect(await traces(needles)).toEqual([]);
    expect(await kpis()).toEqual(before);
    const verified = await audit();
    expect(verified.stdout).toMatch(/audit verify: ok/);
    expect(verified.code).toBe(0);
    // The bytes of her upload are gone.
    expect(readdirSync(dir, { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f))).length).toBe(
      bytesBefore - 1,
    );
    // Recorded on each affected ticket, by the admin, with no personal data.
    const recorded = await ctx.store.db
      .selectFrom('events')
      .innerJoin('tickets', 'tickets.id', 'events.ticket_id')
      .select(['tickets.key', 'events.actor', 'events.payload', 'events.internal'])
      .where('events.type', '=', 'personal_data.erased')
      .execute();
    expect(recorded.map((e) => e.key).sort()).toEqual([own, ccd].sort());
    for (const e of recorded) {
      expect(e.actor).toBe(`user:${t.cast.actors.admin.userId}`);
      expect(Object.keys(JSON.parse(e.payload)).sort()).toEqual(['digest', 'fields', 'requester_id']);
    }
    // The structure stays: her ticket, its status and history; the CC list keeps the other address.
    const tk = await ctx.store.db
      .selectFrom('tickets')
      .select(['subject', 'body', 'requester_id', 'status'])
      .where('key', '=', own)
      .executeTakeFirstOrThrow();
    expect(tk).toMatchObject({ subject: '[erased]', body: '[erased]', requester_id: zeldaId });
    const ccs = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets/${ccd}/ccs`,
      headers: t.auth('agent'),
    });
    expect(ccs.json()).toMatchObject({ ccs: ['someone.else@acme.example'] });
    // The agent's reply keeps its words, without her name.
    const comments = await t.app.inject({
      method: 'GET',
      url: `/api/v1/tickets/${own}/comments`,
      headers: t.auth('agent'),
    });
    expect(comments.body).toContain('thanks. You wrote');
    // No sign-in, no token.
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: zeldaAuth })).statusCode,
    ).toBe(401);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(401);

    // Twice: harmless.
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/requesters/${zeldaId}/erase`,
      headers: t.auth('admin'),
      payload: { confirm: true },
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ already_erased: true, tickets: [] });
    expect((await audit()).code).toBe(0);
    const byOldAddress = await requesterCli(['erase', email, '--confirm']);
    expect(byOldAddress.code).toBe(1);
    expect(byOldAddress.stderr).toContain('USER_NOT_FOUND');
    expect(await kpis()).toEqual(before);
  });

  it('a tamper after erasure is still found: an erased field, the erasure record, a kept field', async () => {
    const erased = await ctx.store.db
      .selectFrom('events')
      .select(['id', 'payload', 'erased', 'actor'])
      .where('erased', 'is not', null)
      .execute();
    expect(erased.length).toBeGreaterThan(0);
    const e = erased[0]!;
    // Writing something else where the placeholder is.
    await ctx.store.db
      .updateTable('events')
      .set({ payload: e.payload.replace('[erased]', 'Somebody Else') })
      .where('id', '=', e.id)
      .execute();
    let r = await audit();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /ERASURE: ticket \S+ position \d+: erased field \S+ holds something other than the placeholder/,
    );
    await ctx.store.db.updateTable('events').set({ payload: e.payload }).where('id', '=', e.id).execute();
    // Dropping an erasure mark (pretending the field was never erased).
    await ctx.store.db.updateTable('events').set({ erased: null }).where('id', '=', e.id).execute();
    r = await audit();
    expect(r.code).toBe(1);
    await ctx.store.db.updateTable('events').set({ erased: e.erased }).where('id', '=', e.id).execute();
    expect((await audit()).code).toBe(0);
    // A field nobody erased, changed.
    const kept = await ctx.store.db
      .selectFrom('events')
      .select(['id', 'payload'])
      .where('type', '=', 'ticket.created')
      .executeTakeFirstOrThrow();
    expect(kept.payload).toContain('"key":"');
    await ctx.store.db
      .updateTable('events')
      .set({ payload: kept.payload.replace('"key":"', '"key":"X') })
      .where('id', '=', kept.id)
      .execute();
    r = await audit();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/EDITED: ticket \S+ position 1: event/);
    await ctx.store.db
      .updateTable('events')
      .set({ payload: kept.payload })
      .where('id', '=', kept.id)
      .execute();
    // An actor edited after erasure.
    await ctx.store.db
      .updateTable('events')
      .set({ actor: 'user:forged' })
      .where('type', '=', 'personal_data.erased')
      .execute();
    r = await audit();
    expect(r.code).toBe(1);
  });
});
