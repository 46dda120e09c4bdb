import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { changeTicketStatus } from '../../src/app/change-status.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { createToken } from '../../src/app/create-token.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { surveyToken } from '../../src/notify/signed-links.ts';
import { listEvents } from '../../src/store/events-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

const SECRET = 'http-intake-secret-0123456789abcdef0123';
const SMS_TOKEN = 'sms-provider-token-0123456789';

describeStores('HTTP intake, templates and surveys', (s) => {
  let app: FastifyInstance;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let admin: { authorization: string };
  let agent: { authorization: string };

  beforeAll(async () => {
    deps = depsFor(s.store);
    cast = await makeCast(deps);
    app = await buildApp({
      ...deps,
      http: { bodyLimit: 256 * 1024, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false },
      intake: {
        secret: SECRET,
        defaultOrganizationId: cast.orgB,
        webFormPerMinute: 1000,
        webFormPerHourPerSender: 2,
        sources: { twilio: { token: SMS_TOKEN, channel: 'sms', fields: { from: 'From', body: 'Body', external_id: 'MessageSid' } } },
      },
    });
    admin = { authorization: `Bearer ${(await createToken(deps, { user: { id: cast.actors.admin.userId }, name: 't' })).secret}` };
    agent = { authorization: `Bearer ${(await createToken(deps, { user: { id: cast.actors.agent.userId }, name: 't' })).secret}` };
  });
  afterAll(() => app.close());

  it('templates: admins read, override (refused when it does not render) and reset; others may not', async () => {
    const got = await app.inject({ method: 'GET', url: '/api/v1/templates/high-value-escalation', headers: admin });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ name: 'high-value-escalation', audience: 'internal', overridden: false });
    expect((await app.inject({ method: 'GET', url: '/api/v1/templates/high-value-escalation', headers: agent })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/templates/high-value-escalation', headers: admin, payload: { subject: 'x', text: '{{ ticket.contract }}' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'TEMPLATE_INVALID', message: expect.stringContaining('ticket.contract') });
    const good = await app.inject({ method: 'PUT', url: '/api/v1/templates/high-value-escalation', headers: admin, payload: { subject: 'VIP {{ organization.name }}', text: 'Call {{ organization.account_manager }}' } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ overridden: true, subject: 'VIP {{ organization.name }}' });
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/templates/high-value-escalation', headers: admin })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/templates/high-value-escalation', headers: admin })).json()).toMatchObject({ overridden: false });
    expect((await app.inject({ method: 'GET', url: '/api/v1/templates/nope', headers: admin })).json().error.code).toBe('TEMPLATE_NOT_FOUND');
  });

  it('web form: opens a ticket on the web channel; honeypot and per-sender cap stop abuse', async () => {
    const form = { name: 'Wendy Web', email: 'wendy@web.example', subject: 'Cannot log in', body: 'Since today.' };
    const r = await app.inject({ method: 'POST', url: '/api/v1/intake/web', payload: form });
    expect(r.statusCode).toBe(202);
    const key = r.json().ticket as string;
    const t = await s.store.db.selectFrom('tickets').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    expect(t).toMatchObject({ channel: 'web', subject: 'Cannot log in', organization_id: cast.orgB });
    const bot = await app.inject({ method: 'POST', url: '/api/v1/intake/web', payload: { ...form, website: 'http://spam.example' } });
    expect(bot.json()).toMatchObject({ status: 'accepted', ticket: null });
    expect((await app.inject({ method: 'POST', url: '/api/v1/intake/web', payload: form })).statusCode).toBe(202);
    const third = await app.inject({ method: 'POST', url: '/api/v1/intake/web', payload: form });
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('RATE_LIMITED');
    const invalid = await app.inject({ method: 'POST', url: '/api/v1/intake/web', payload: { ...form, email: 'not-an-email' } });
    expect(invalid.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('provider webhook: token checked, fields mapped, conversation continues in the open ticket', async () => {
    const sms = (sid: string, text: string, token = SMS_TOKEN) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/intake/hooks/twilio',
        headers: { 'x-escalon-intake-token': token, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ From: '+15551234567', Body: text, MessageSid: sid }).toString(),
      });
    expect((await sms('SM1', 'hi', 'wrong-token-0123456789xx')).json().error.code).toBe('INTAKE_SIGNATURE_INVALID');
    const first = await sms('SM1', 'My router is dead');
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ status: 'created' });
    const key = first.json().ticket as string;
    expect(await s.store.db.selectFrom('tickets').select('channel').where('key', '=', key).executeTakeFirst()).toEqual({ channel: 'sms' });
    expect((await sms('SM2', 'Still dead')).json()).toEqual({ status: 'commented', ticket: key });
    expect((await sms('SM2', 'Still dead')).json()).toEqual({ status: 'duplicate', ticket: null });
    const unmapped = await app.inject({ method: 'POST', url: '/api/v1/intake/hooks/twilio', headers: { 'x-escalon-intake-token': SMS_TOKEN }, payload: { Text: 'x' } });
    expect(unmapped.statusCode).toBe(422);
    expect(unmapped.json().error).toMatchObject({ code: 'INTAKE_MAPPING_FAILED', message: expect.stringContaining('fields.from (From)') });
    expect((await app.inject({ method: 'POST', url: '/api/v1/intake/hooks/nope', headers: { 'x-escalon-intake-token': SMS_TOKEN }, payload: {} })).statusCode).toBe(404);
  });

  it('CSAT: the signed link of a solved ticket records csat.received once; forged or early links are refused', async () => {
    const t = (await createTicket(deps, cast.actors.customerA, { subject: 'Survey me', body: 'x' })).ticket;
    const token = surveyToken(SECRET, t.id, deps.clock.now() + 86_400_000);
    const early = await app.inject({ method: 'POST', url: `/api/v1/csat/${token}`, payload: { rating: 5 } });
    expect(early.json().error.code).toBe('SURVEY_NOT_OPEN');
    await changeTicketStatus(deps, cast.actors.agent, t.key, 'solved');
    const page = await app.inject({ method: 'GET', url: `/api/v1/csat/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="rating"');
    const forged = token.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect((await app.inject({ method: 'POST', url: `/api/v1/csat/${forged}`, payload: { rating: 5 } })).json().error.code).toBe('SURVEY_LINK_INVALID');
    expect((await app.inject({ method: 'POST', url: `/api/v1/csat/${token}`, payload: { rating: 6 } })).json().error.code).toBe('VALIDATION_FAILED');
    const ok = await app.inject({ method: 'POST', url: `/api/v1/csat/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'rating=4&comment=Quick+and+kind' });
    expect(ok.statusCode).toBe(201);
    const events = (await listEvents(s.store.db, t.id, { includeInternal: false })).filter((e) => e.type === 'csat.received');
    expect(events).toMatchObject([{ payload: { rating: 4, comment: 'Quick and kind', satisfied: true }, internal: false }]);
    expect((await app.inject({ method: 'POST', url: `/api/v1/csat/${token}`, payload: { rating: 1 } })).json().error.code).toBe('SURVEY_ALREADY_ANSWERED');
  });
});
