import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { ensureIntakeOrganization, WEB_REQUESTS_ORG_ID } from '../../src/app/intake-organization.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { HOLD_TTL_MS } from '../../src/intake/hold-web-message.ts';
import { processMetrics } from '../../src/reporting/ops-metrics.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createDispatcher, type DispatcherDeps } from '../../src/notify/dispatcher.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { startSmtpSink, type SmtpSink } from '../notify/support/smtp-sink.ts';

const PUBLIC = 'https://help.example.com';

describeStores('web form: new senders welcome, claimed addresses verified', (s) => {
  let app: FastifyInstance;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let sink: SmtpSink;
  let dispatcherDeps: DispatcherDeps;
  let form: (payload: Record<string, string>, ip?: string) => Promise<LightMyRequestResponse>;

  beforeAll(async () => {
    sink = await startSmtpSink();
    deps = depsFor(s.store);
    cast = await makeCast(deps);
    await applyPolicy(deps, cast.actors.admin, REFERENCE_POLICY, 'yaml');
    const intakeOrg = await ensureIntakeOrganization(deps, undefined);
    app = await buildApp({
      ...deps,
      http: { bodyLimit: 256 * 1024, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false },
      intake: { defaultOrganizationId: intakeOrg, publicUrl: PUBLIC, webFormPerMinute: 1000, webFormPerHourPerSender: 3, sources: {} },
    });
    dispatcherDeps = {
      store: s.store,
      clock: deps.clock,
      channels: { email: createEmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: 'escalon@support.example.com', timeoutMs: 5000 }) },
      links: { publicUrl: PUBLIC },
    };
    form = (payload, ip = '203.0.113.7') => app.inject({ method: 'POST', url: '/api/v1/intake/web', payload, remoteAddress: ip });
  });
  afterAll(async () => {
    await dispatcherDeps.channels.email?.close?.();
    await sink.close();
    await app.close();
  });

  const ticketsOf = (orgId: string) => s.store.db.selectFrom('tickets').selectAll().where('organization_id', '=', orgId).execute();

  /** Sends the outbox and returns the confirmation link mailed to `to`. */
  async function mailedLink(to: string): Promise<string> {
    const before = sink.received.length;
    await createDispatcher(dispatcherDeps).drain();
    await sink.waitFor(before + 1);
    const mail = sink.received.slice(before).find((m) => m.to && JSON.stringify(m.to).includes(to));
    expect(mail?.subject).toContain('Please confirm your request');
    const link = /https:\/\/help\.example\.com\/api\/v1\/intake\/confirm\/[A-Za-z0-9_-]+/.exec(mail?.text ?? '')?.[0];
    expect(link).toBeDefined();
    return (link ?? '').slice(PUBLIC.length);
  }

  it('a new sender gets a ticket out of the box, as a new requester in "Web requests" (standard tier)', async () => {
    const r = await form({ name: 'Nina New', email: 'nina@new.example', subject: 'How do I export?', body: 'Where is the button?' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ status: 'created', ticket: expect.stringMatching(/^[A-Z]+-\d+$/) });
    const t = await s.store.db.selectFrom('tickets').selectAll().where('key', '=', r.json().ticket).executeTakeFirstOrThrow();
    const org = await s.store.db.selectFrom('organizations').selectAll().where('id', '=', t.organization_id).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ id: WEB_REQUESTS_ORG_ID, name: 'Web requests', tier: 'standard', contract_value: null });
    const user = await s.store.db.selectFrom('users').selectAll().where('email', '=', 'nina@new.example').executeTakeFirstOrThrow();
    expect(user).toMatchObject({ role: 'customer', organization_id: WEB_REQUESTS_ORG_ID, id: t.requester_id });
  });

  it('a forged "cancel our contract" in an enterprise customer\'s name is held: no ticket in their organization, no escalation, until the emailed link confirms it', async () => {
    const victim = cast.actors.customerA;
    const before = await ticketsOf(cast.orgA);
    const eventsBefore = await s.store.db.selectFrom('events').select('id').where('type', '=', 'ticket.escalated').execute();
    const r = await form({ name: 'Totally Alex', email: victim.email.toUpperCase(), subject: 'please cancel our contract', body: 'We want to cancel our contract today.' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ status: 'held', ticket: null, message: expect.stringContaining(victim.email) });
    expect(await ticketsOf(cast.orgA)).toHaveLength(before.length);
    expect(await s.store.db.selectFrom('tickets').select('id').where('subject', '=', 'please cancel our contract').execute()).toEqual([]);
    expect(await s.store.db.selectFrom('events').select('id').where('type', '=', 'ticket.escalated').execute()).toHaveLength(eventsBefore.length);
    // The only thing that moved: one confirmation mail to the real owner of the address.
    const path = await mailedLink(victim.email);
    const page = await app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('please cancel our contract');
    expect(page.body).toContain('method="post"');
    expect(await ticketsOf(cast.orgA)).toHaveLength(before.length);

    // The owner confirms: now it is theirs, with their tier, and the high-value rule escalates it.
    const ok = await app.inject({ method: 'POST', url: path, payload: {} });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'confirmed', ticket: expect.any(String) });
    const t = await s.store.db.selectFrom('tickets').selectAll().where('key', '=', ok.json().ticket).executeTakeFirstOrThrow();
    expect(t).toMatchObject({ organization_id: cast.orgA, requester_id: victim.userId, channel: 'web', subject: 'please cancel our contract', level: 'management' });
    const again = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain(t.key);
    expect((await app.inject({ method: 'POST', url: path, payload: {} })).json()).toEqual({ status: 'already_confirmed', ticket: t.key });
    expect(await s.store.db.selectFrom('tickets').select('id').where('subject', '=', 'please cancel our contract').execute()).toHaveLength(1);
  });

  it('a confirmed message naming one of the sender\'s own tickets is added to it (someone else\'s ticket key opens a new one)', async () => {
    const victim = cast.actors.customerA;
    const own = (await createTicket(deps, victim, { subject: 'Export broken', body: 'x' })).ticket;
    const foreign = (await createTicket(deps, cast.actors.customerB, { subject: 'Not yours', body: 'y' })).ticket;
    expect((await form({ name: 'A', email: victim.email, subject: `Re: ${own.key} still broken`, body: 'More details.' })).json().status).toBe('held');
    const r = await app.inject({ method: 'POST', url: await mailedLink(victim.email), payload: {} });
    expect(r.json()).toEqual({ status: 'confirmed', ticket: own.key });
    const comments = await s.store.db.selectFrom('comments').select(['body', 'author_id']).where('ticket_id', '=', own.id).execute();
    expect(comments).toContainEqual({ body: 'More details.', author_id: victim.userId });
    expect((await form({ name: 'A', email: victim.email, subject: `About ${foreign.key}`, body: 'peek' })).json().status).toBe('held');
    const other = await app.inject({ method: 'POST', url: await mailedLink(victim.email), payload: {} });
    expect(other.json().ticket).not.toBe(foreign.key);
    expect(await s.store.db.selectFrom('comments').select('id').where('ticket_id', '=', foreign.id).where('body', '=', 'peek').execute()).toEqual([]);
  });

  it('a link that is unknown is refused; an unconfirmed hold expires after 24 h and its text is erased', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/intake/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', payload: {} });
    expect(bad.statusCode).toBe(404);
    expect(bad.json().error.code).toBe('INTAKE_HOLD_INVALID');
    const badPage = await app.inject({ method: 'GET', url: '/api/v1/intake/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(badPage.statusCode).toBe(404);
    expect(badPage.headers['content-type']).toContain('text/html');
    expect(badPage.body).toContain('INTAKE_HOLD_INVALID');
    const victim = cast.actors.customerB;
    expect((await form({ name: 'B', email: victim.email, subject: 'Refund everything', body: 'now' })).json().status).toBe('held');
    const path = await mailedLink(victim.email);
    deps.clock.advance(HOLD_TTL_MS + 1000);
    const late = await app.inject({ method: 'POST', url: path, payload: {} });
    expect(late.statusCode).toBe(410);
    expect(late.json().error).toMatchObject({ code: 'INTAKE_HOLD_EXPIRED', message: expect.stringContaining('send the form again') });
    const latePage = await app.inject({ method: 'GET', url: path });
    expect(latePage.statusCode).toBe(410);
    expect(latePage.body).toContain('expired');
    const hold = await s.store.db.selectFrom('intake_holds').selectAll().where('email', '=', victim.email).executeTakeFirstOrThrow();
    expect(hold).toMatchObject({ status: 'expired', subject: '', body: '', ticket_id: null });
    expect(await s.store.db.selectFrom('tickets').select('id').where('subject', '=', 'Refund everything').execute()).toEqual([]);
  });

  it('per sender address: at most N submissions an hour (holds count too), answered 429 with Retry-After', async () => {
    const f = { name: 'Rita', email: 'rita@rate.example', subject: 'Hello', body: 'x' };
    expect((await form(f)).json().status).toBe('created');
    expect((await form(f)).json().status).toBe('held'); // rita has an account now
    expect((await form(f, '198.51.100.1')).json().status).toBe('held');
    const r = await form(f, '198.51.100.2');
    expect(r.statusCode).toBe(429);
    expect(r.json().error).toMatchObject({ code: 'RATE_LIMITED', details: { retry_after_s: 3600 } });
    expect(r.headers['retry-after']).toBe('3600');
    deps.clock.advance(3_600_000 + 1);
    expect((await form(f)).statusCode).toBe(202);
  });

  it('honeypot: a filled hidden field is answered like a success, creates nothing and is counted', async () => {
    const count = async () => (await processMetrics.getSingleMetricAsString('escalon_intake_honeypot_total')).match(/escalon_intake_honeypot_total (\d+)/)?.[1];
    const n = Number(await count());
    const tickets = (await s.store.db.selectFrom('tickets').select('id').execute()).length;
    const r = await form({ name: 'Bot', email: 'bot@spam.example', subject: 'Cheap pills', body: 'buy', website: 'http://spam.example' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ status: 'accepted', ticket: null });
    expect((await s.store.db.selectFrom('tickets').select('id').execute()).length).toBe(tickets);
    expect(await s.store.db.selectFrom('users').select('id').where('email', '=', 'bot@spam.example').execute()).toEqual([]);
    expect(Number(await count())).toBe(n + 1);
  });

  it('per client address: past the per-minute limit the form answers 429 with when to retry', async () => {
    const strict = await buildApp({
      ...deps,
      http: { bodyLimit: 256 * 1024, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false },
      intake: { defaultOrganizationId: WEB_REQUESTS_ORG_ID, publicUrl: PUBLIC, webFormPerMinute: 2, webFormPerHourPerSender: 100, sources: {} },
    });
    try {
      const send = (i: number, ip: string) => strict.inject({ method: 'POST', url: '/api/v1/intake/web', remoteAddress: ip, payload: { name: 'P', email: `ip${i}@flood.example`, subject: 's', body: 'b' } });
      expect((await send(1, '192.0.2.9')).statusCode).toBe(202);
      expect((await send(2, '192.0.2.9')).statusCode).toBe(202);
      const third = await send(3, '192.0.2.9');
      expect(third.statusCode).toBe(429);
      expect(third.json().error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/try again in \d+ s/) });
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect((await send(4, '192.0.2.10')).statusCode).toBe(202);
    } finally {
      await strict.close();
    }
  });

  it('the intake organization: created once, found by id or name, or turned off with none', async () => {
    expect(await ensureIntakeOrganization(deps, undefined)).toBe(WEB_REQUESTS_ORG_ID);
    expect(await s.store.db.selectFrom('organizations').select('id').where('name', '=', 'Web requests').execute()).toHaveLength(1);
    expect(await ensureIntakeOrganization(deps, cast.orgB)).toBe(cast.orgB);
    const named = (await s.store.db.selectFrom('organizations').select('name').where('id', '=', cast.orgB).executeTakeFirstOrThrow()).name;
    expect(await ensureIntakeOrganization(deps, named)).toBe(cast.orgB);
    expect(await ensureIntakeOrganization(deps, 'none')).toBeUndefined();
    await expect(ensureIntakeOrganization(deps, 'No Such Org')).rejects.toMatchObject({ code: 'ORGANIZATION_NOT_FOUND', message: expect.stringContaining('ESCALON_INTAKE_DEFAULT_ORG') });
  });
});

