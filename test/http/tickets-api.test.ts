import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

describeStores('tickets API', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('runs a ticket through its life over HTTP', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth('agent'), payload: { subject: 'Login broken', body: 'I cannot sign in', impact: 2, urgency: 2, tags: ['login'], requester_id: t.cast.actors.customerA.userId } });
    expect(created.statusCode, created.body).toBe(201);
    const ticket = created.json<{ key: string; id: string; status: string; priority: string; organization_id: string }>();
    expect(ticket).toMatchObject({ status: 'new', priority: 'normal', organization_id: t.cast.orgA });

    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticket.key}/comments`, headers: t.auth('agent'), payload: { body: 'Looking into it', public: true } });
    expect(reply.statusCode, reply.body).toBe(201);
    const note = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticket.id}/comments`, headers: t.auth('agent'), payload: { body: 'INTERNAL: flaky IdP', public: false } });
    expect(note.statusCode).toBe(201);

    const got = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key.toLowerCase()}`, headers: t.auth('lead') });
    expect(got.json()).toMatchObject({ status: 'open', owner_id: t.cast.actors.agent.userId });
    // The customer sees the ticket, not who owns it (the policy's customer_fields.public: test/security/customer-views.test.ts).
    const theirs = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key.toLowerCase()}`, headers: t.auth('customerA') });
    expect(theirs.json()).toMatchObject({ status: 'open' });
    expect(theirs.json()).not.toHaveProperty('owner_id');

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${ticket.key}`,
      headers: t.auth('lead'),
      payload: { status: 'pending', priority: 'urgent', tags: ['login', 'sso'], assignee_id: t.cast.actors.agent2.userId },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ status: 'pending', priority: 'urgent', tags: ['login', 'sso'], assignee_id: t.cast.actors.agent2.userId });

    const teamPatch = await t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${ticket.key}`, headers: t.auth('lead'), payload: { team: 'billing' } });
    expect(teamPatch.statusCode).toBe(400);
    expect(teamPatch.json().error.code).toBe('VALIDATION_FAILED');

    const backToNew = await t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${ticket.key}`, headers: t.auth('lead'), payload: { status: 'new' } });
    expect(backToNew.statusCode).toBe(409);
    expect(backToNew.json().error.code).toBe('INVALID_TRANSITION');

    const customerComments = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/comments`, headers: t.auth('customerA') });
    expect(customerComments.body).not.toContain('INTERNAL');
    const staffComments = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/comments`, headers: t.auth('agent') });
    expect(staffComments.body).toContain('INTERNAL');

    const events = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/events`, headers: t.auth('agent') });
    const types = events.json<{ items: Array<{ type: string }> }>().items.map((e) => e.type);
    expect(types).toEqual(['ticket.created', 'comment.added', 'status.changed', 'comment.added', 'ticket.assigned', 'priority.changed', 'ticket.updated', 'status.changed']);
    const customerEvents = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/events`, headers: t.auth('customerA') });
    expect(customerEvents.json<{ items: Array<{ internal: boolean }> }>().items.every((e) => !e.internal)).toBe(true);
  });

  it('lists with filters and cursor pagination', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth('agent'), payload: { subject: `Batch ${i}`, body: 'b', priority: i % 2 ? 'high' : 'low', requester_id: t.cast.actors.customerB.userId } });
      expect(r.statusCode).toBe(201);
    }
    const keys: string[] = [];
    let url = `/api/v1/tickets?organization=${t.cast.orgB}&priority=high,low&limit=2`;
    for (let guard = 0; guard < 10; guard++) {
      const page = await t.app.inject({ method: 'GET', url, headers: t.auth('agent') });
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json<{ items: Array<{ subject: string }>; next_cursor: string | null }>();
      keys.push(...body.items.map((x) => x.subject));
      if (!body.next_cursor) break;
      url = `/api/v1/tickets?organization=${t.cast.orgB}&priority=high,low&limit=2&cursor=${body.next_cursor}`;
    }
    expect(keys).toEqual(['Batch 4', 'Batch 3', 'Batch 2', 'Batch 1', 'Batch 0']);
    const high = await t.app.inject({ method: 'GET', url: `/api/v1/tickets?organization=${t.cast.orgB}&priority=high`, headers: t.auth('agent') });
    expect(high.json<{ items: unknown[] }>().items).toHaveLength(2);
    const asOther = await t.app.inject({ method: 'GET', url: `/api/v1/tickets?organization=${t.cast.orgB}`, headers: t.auth('customerA') });
    expect(asOther.json<{ items: unknown[] }>().items).toHaveLength(0);
  });

  it('signs in with a password, uses the session cookie, and signs out', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.cast.actors.agent.email, password: 'nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('INVALID_CREDENTIALS');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.cast.actors.agent.email.toUpperCase(), password: 'correct horse battery' } });
    expect(ok.statusCode, ok.body).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === 'escalon_session');
    expect(cookie?.httpOnly).toBe(true);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { escalon_session: cookie?.value ?? '' } });
    expect(me.json()).toMatchObject({ role: 'agent', email: t.cast.actors.agent.email });
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { escalon_session: cookie?.value ?? '' } });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { escalon_session: cookie?.value ?? '' } });
    expect(after.statusCode).toBe(401);
  });

  it('revokes tokens, and only admins manage them', async () => {
    const made = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: t.auth('admin'), payload: { user_id: t.cast.actors.agent.userId, name: 'ci' } });
    expect(made.statusCode, made.body).toBe(201);
    const { token, secret } = made.json<{ token: { id: string }; secret: string }>();
    expect(secret).toMatch(/^esc_[A-Za-z0-9_-]{43}$/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${token.id}`, headers: t.auth('manager') })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${token.id}`, headers: t.auth('admin') })).statusCode).toBe(200);
    const revoked = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('answers health and readiness, and serves the OpenAPI document', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const doc = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toContain('/api/v1/tickets/{ticketRef}');
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });
});

describeStores('priority through the API', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('an explicit priority wins over impact × urgency; the matrix sets it only when no priority is given', async () => {
    const create = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth('agent'), payload: { subject: 'Export fails', body: 'The CSV export stops at 10%.', requester_id: t.cast.actors.customerA.userId, ...payload } });
    const both = await create({ priority: 'low', impact: 1, urgency: 1 });
    expect(both.statusCode, both.body).toBe(201);
    expect(both.json()).toMatchObject({ priority: 'low', impact: 1, urgency: 1 });
    const matrix = await create({ impact: 1, urgency: 2 });
    expect(matrix.json()).toMatchObject({ priority: 'high', impact: 1, urgency: 2 });
    const none = await create({});
    expect(none.json()).toMatchObject({ priority: 'normal' });

    const key = none.json<{ key: string }>().key;
    const patch = (payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${key}`, headers: t.auth('lead'), payload });
    const p1 = await patch({ priority: 'urgent', impact: 3, urgency: 3 });
    expect(p1.statusCode, p1.body).toBe(200);
    expect(p1.json()).toMatchObject({ priority: 'urgent', impact: 3, urgency: 3 });
    const p2 = await patch({ impact: 2, urgency: 1 });
    expect(p2.json()).toMatchObject({ priority: 'high', impact: 2, urgency: 1 });
  });
});
