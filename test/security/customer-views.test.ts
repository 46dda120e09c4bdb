/**
 * Issue 12, finding 6: customers saw internal triage (the customer-visible `ticket.created`
 * carried sentiment and risk flags with the matched phrases) and the ticket's team, level and
 * owner. A customer's ticket (one and list), timeline, escalation answer and event stream now
 * carry no triage ever, and no team, level, assignee or owner unless the policy's
 * `customer_fields.public` lists them. Staff see everything. On both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { sampleContext } from '../../src/notify/templates/render-context.ts';
import { redactForCustomer } from '../../src/notify/templates/redact.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

const SECTION = /customer_fields:\n(?: {2}.*\n)+/;
const PUBLIC_ALL = REFERENCE_POLICY.replace(SECTION, 'customer_fields:\n  settable: [priority]\n  priority_max: high\n  public: [team, level, assignee, owner, tags]\n');
const ROUTING = ['team', 'level', 'assignee_id', 'owner_id', 'tags'] as const;
const TRIAGE_WORDS = ['sentiment', 'risk', 'signals', 'switching to another provider'];

type Json = Record<string, unknown>;
interface EventOut {
  type: string;
  internal: boolean;
  payload: Json;
}

describeStores('customer views (issue 12, finding 6)', (ctx) => {
  let t: TestApp;
  let base = '';
  let key = '';
  beforeAll(async () => {
    if (PUBLIC_ALL === REFERENCE_POLICY) throw new Error('the reference policy has no customer_fields section to replace');
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(Date.parse('2026-11-30T15:00:00Z'));
    await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // The probe's ticket: words that set the churn flag, then an agent takes it and answers.
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: t.auth('customerA'),
      payload: { subject: 'Unacceptable outage', body: 'This is terrible. We are switching to another provider if the export stays broken.' },
    });
    expect(created.statusCode, created.body).toBe(201);
    key = created.json<{ key: string }>().key;
    const assign = await t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${key}`, headers: t.auth('lead'), payload: { assignee_id: t.cast.actors.agent.userId } });
    expect(assign.statusCode, assign.body).toBe(200);
    // Staff tag it for triage: a tag is not for the customer's eyes unless public.
    const tag = await t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${key}`, headers: t.auth('lead'), payload: { tags: ['churn-watch'] } });
    expect(tag.statusCode, tag.body).toBe(200);
    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${key}/comments`, headers: t.auth('agent'), payload: { body: 'We are on it.', public: true } });
    expect(reply.statusCode, reply.body).toBe(201);
  });
  afterAll(async () => {
    await t.app.close();
  });

  const get = (who: Person, url: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth(who) });
  const noTriage = (payloads: unknown) => {
    const text = JSON.stringify(payloads);
    for (const word of TRIAGE_WORDS) expect(text, word).not.toContain(word);
  };

  it('staff see the triage and routing (the facts exist to be hidden)', async () => {
    const ticket = (await get('lead', `/tickets/${key}`)).json<Json>();
    expect(ticket).toMatchObject({ assignee_id: t.cast.actors.agent.userId, owner_id: t.cast.actors.agent.userId, tags: ['churn-watch'] });
    expect(typeof ticket.team).toBe('string');
    expect(typeof ticket.level).toBe('string');
    const events = (await get('lead', `/tickets/${key}/events`)).json<{ items: EventOut[] }>().items;
    const created = events.find((e) => e.type === 'ticket.created');
    expect(created?.internal).toBe(false);
    expect(created?.payload).toHaveProperty('sentiment');
    expect(JSON.stringify(created?.payload.risk)).toContain('switching to another provider');
  });

  it('a customer GET of the ticket, the list and the timeline carries no triage, team, level or owner/assignee ids', async () => {
    const one = await get('customerA', `/tickets/${key}`);
    expect(one.statusCode).toBe(200);
    for (const field of ROUTING) expect(one.json(), field).not.toHaveProperty(field);
    const list = await get('customerA', '/tickets?limit=200');
    const mine = list.json<{ items: Json[] }>().items.find((x) => x.key === key);
    expect(mine).toBeDefined();
    for (const item of list.json<{ items: Json[] }>().items) for (const field of ROUTING) expect(item, field).not.toHaveProperty(field);

    const events = (await get('customerA', `/tickets/${key}/events`)).json<{ items: EventOut[] }>().items;
    expect(events.every((e) => !e.internal)).toBe(true);
    const created = events.find((e) => e.type === 'ticket.created');
    expect(created).toBeDefined();
    expect(Object.keys(created?.payload ?? {})).not.toEqual(expect.arrayContaining(['sentiment']));
    for (const e of events) {
      for (const k of ['sentiment', 'risk', 'team', 'level', 'to_team', 'to_level', 'owner', 'owner_id', 'assignee', 'assignee_id', 'tags']) expect(e.payload, `${e.type}.${k}`).not.toHaveProperty(k);
      if (e.type === 'ticket.assigned') expect(e.payload).not.toHaveProperty('to');
    }
    noTriage(events.map((e) => e.payload));
    expect(JSON.stringify([one.json(), list.json(), events])).not.toContain('churn-watch');
    // Filtering by team or assignee would tell the same thing: refused.
    const byTeam = await get('customerA', '/tickets?team=legal');
    expect(byTeam.statusCode).toBe(403);
    expect(byTeam.json().error).toMatchObject({ code: 'CUSTOMER_FIELD_NOT_ALLOWED', details: { field: 'team' } });
    expect((await get('customerA', `/tickets?assignee=${t.cast.actors.agent.userId}`)).statusCode).toBe(403);
  });

  it("a customer's escalation request answers without the ticket's routing fields", async () => {
    const r = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${key}/escalate`, headers: t.auth('customerA'), payload: { comment: 'Please look at this today.' } });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json<{ ticket: Json; events: unknown[] }>();
    expect(body.events).toEqual([]);
    for (const field of ROUTING) expect(body.ticket, field).not.toHaveProperty(field);
  });

  it("the customer's event stream carries ticket keys only", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/stream`, { headers: { ...t.auth('customerA'), accept: 'text/event-stream' }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const change = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${key}/comments`, headers: t.auth('agent'), payload: { body: 'Update: still on it.', public: true } });
    expect(change.statusCode).toBe(201);
    let buffer = '';
    let data: string | undefined;
    while (data === undefined) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      data = /event: tickets\ndata: (.*)\n\n/.exec(buffer)?.[1];
    }
    controller.abort();
    expect(JSON.parse(data ?? 'null')).toEqual({ keys: [key] });
    noTriage(buffer);
    for (const word of ['team', 'level', 'owner', 'assignee', t.cast.actors.agent.userId]) expect(buffer).not.toContain(word);
  });

  it('with the policy marking team, level, assignee, owner and tags public they appear; triage never does', async () => {
    await applyPolicy(t.deps, t.cast.actors.admin, PUBLIC_ALL, 'yaml');
    try {
      const one = (await get('customerA', `/tickets/${key}`)).json<Json>();
      // (The customer's escalation request above moved the ticket on, unassigned; the owner stays.)
      expect(one).toHaveProperty('assignee_id');
      expect(one).toMatchObject({ owner_id: t.cast.actors.agent.userId });
      expect(typeof one.team).toBe('string');
      expect(typeof one.level).toBe('string');
      const mine = (await get('customerA', '/tickets?limit=200')).json<{ items: Json[] }>().items.find((x) => x.key === key);
      expect(mine).toHaveProperty('team');
      expect(one).toMatchObject({ tags: ['churn-watch'] });
      const events = (await get('customerA', `/tickets/${key}/events`)).json<{ items: EventOut[] }>().items;
      const created = events.find((e) => e.type === 'ticket.created');
      expect(created?.payload).toHaveProperty('team');
      expect(created?.payload).toHaveProperty('level');
      expect(events.find((e) => e.type === 'ticket.assigned')?.payload).toMatchObject({ to: t.cast.actors.agent.userId });
      noTriage(events.map((e) => e.payload));
      expect((await get('customerA', `/tickets?team=${String(one.team)}`)).statusCode).toBe(200);
    } finally {
      await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
    }
  });
});

describe('customer mail context', () => {
  it('carries no team or ticket level (internal mail keeps them)', () => {
    const full = sampleContext();
    expect([full.ticket.team, full.ticket.level]).not.toEqual([null, null]);
    const customer = redactForCustomer(full);
    expect(customer.ticket).toMatchObject({ team: null, level: null });
    expect(customer.escalation.to_team).toBeNull();
  });
});
