/**
 * Issue 12, finding 4: customers steered their own routing (tags: ["legal"], category, priority
 * urgent, channel phone → straight to the legal team at L2). A customer now sets subject, body,
 * attachments and only what the policy's `customer_fields.settable` leaves them; anything else
 * is refused (CUSTOMER_FIELD_NOT_ALLOWED) and no ticket is opened. The channel is the path's.
 * Staff are unaffected. On both databases.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { receiveMessage } from '../../src/intake/receive-message.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

const SECTION = /customer_fields:\n(?: {2}.*\n)+/;
const policyWith = (section: string) => {
  if (!SECTION.test(REFERENCE_POLICY)) throw new Error('the reference policy has no customer_fields section to replace');
  return REFERENCE_POLICY.replace(SECTION, section);
};

describeStores('customer-settable fields (issue 12, finding 4)', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(Date.parse('2026-11-30T15:00:00Z'));
    await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
  });
  afterAll(async () => {
    await t.app.close();
  });

  const open = (who: Person, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth(who), payload: { subject: 'Export fails', body: 'The CSV export stops at 10%.', ...payload } });
  const staffView = async (key: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}`, headers: t.auth('lead') })).json<Record<string, unknown>>();
  const ticketCount = async () => Number((await ctx.store.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('the reproduction: tags legal, category, priority urgent and channel phone are each refused, and nothing is opened', async () => {
    const before = await ticketCount();
    const all = await open('customerA', { tags: ['legal'], category: 'billing', priority: 'urgent', channel: 'phone' });
    expect(all.statusCode).toBe(403);
    expect(all.json().error.code).toBe('CUSTOMER_FIELD_NOT_ALLOWED');
    for (const [field, value] of [
      ['tags', ['legal']],
      ['category', 'billing'],
      ['channel', 'phone'],
      ['team', 'legal'],
      ['impact', 1],
      ['assignee_id', t.cast.actors.agent.userId],
      ['requester_id', t.cast.actors.customerB.userId],
      ['organization_id', t.cast.orgB],
    ] as const) {
      const r = await open('customerA', { [field]: value });
      expect(r.statusCode, `${field}: ${r.body}`).toBe(403);
      const error = r.json<{ error: { code: string; message: string; details: { field: string; settable: string[] } } }>().error;
      expect(error).toMatchObject({ code: 'CUSTOMER_FIELD_NOT_ALLOWED', details: { field } });
      expect(error.message).toContain(`'${field}'`);
      expect(error.message).toContain('staff');
      expect(error.details.settable).toEqual(['subject', 'body', 'attachment_ids', 'priority']);
    }
    // The reference policy leaves priority to customers up to high: urgent is staff's.
    const urgent = await open('customerA', { priority: 'urgent' });
    expect(urgent.statusCode).toBe(403);
    expect(urgent.json().error).toMatchObject({ code: 'CUSTOMER_FIELD_NOT_ALLOWED', details: { field: 'priority', priority_max: 'high' } });
    expect(await ticketCount()).toBe(before);
  });

  it('without those fields the ticket takes the policy default route: web, normal, frontline L1, no tags', async () => {
    const r = await open('customerA', {});
    expect(r.statusCode, r.body).toBe(201);
    const seen = await staffView(r.json<{ key: string }>().key);
    expect(seen).toMatchObject({ channel: 'web', priority: 'normal', category: null, tags: [], team: 'frontline', level: 'L1' });
  });

  it('a field the policy marks settable is accepted, within priority_max', async () => {
    const high = await open('customerA', { priority: 'high' });
    expect(high.statusCode, high.body).toBe(201);
    expect(await staffView(high.json<{ key: string }>().key)).toMatchObject({ priority: 'high', channel: 'web', team: 'frontline' });

    await applyPolicy(t.deps, t.cast.actors.admin, policyWith('customer_fields:\n  settable: [category, impact, urgency]\n  priority_max: normal\n'), 'yaml');
    try {
      const cat = await open('customerA', { category: 'billing' });
      expect(cat.statusCode, cat.body).toBe(201);
      expect(await staffView(cat.json<{ key: string }>().key)).toMatchObject({ category: 'billing', channel: 'web' });
      // impact × urgency that would give high is above priority_max normal.
      const matrix = await open('customerA', { impact: 1, urgency: 2 });
      expect(matrix.statusCode).toBe(403);
      expect(matrix.json().error).toMatchObject({ code: 'CUSTOMER_FIELD_NOT_ALLOWED', details: { priority: 'high', priority_max: 'normal' } });
      // priority is not settable in this version at all.
      expect((await open('customerA', { priority: 'low' })).json().error).toMatchObject({ code: 'CUSTOMER_FIELD_NOT_ALLOWED', details: { field: 'priority' } });
      const fields = await t.app.inject({ method: 'GET', url: '/api/v1/tickets/customer-fields', headers: t.auth('customerA') });
      expect(fields.json()).toEqual({ settable: ['category', 'impact', 'urgency'], priority_max: 'normal', public: [] });
    } finally {
      await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
    }
  });

  it('mail and provider intake take the channel from the path the message came by', async () => {
    const customer = t.cast.actors.customerA;
    const mail = await receiveMessage(t.deps, { channel: 'email', externalId: '<m1@mail.example>', senderEmail: customer.email, senderName: 'A', subject: 'Mail subject', body: 'by mail', raw: Buffer.from('x') }, { defaultOrganizationId: undefined });
    const sms = await receiveMessage(t.deps, { channel: 'sms', externalId: 'gw:SM1', senderEmail: customer.email, senderName: 'A', subject: 'sms', body: 'by text', raw: Buffer.from('x') }, { defaultOrganizationId: undefined });
    expect(mail.kind).toBe('created');
    expect(sms.kind).toBe('created');
    if (mail.kind !== 'created' || sms.kind !== 'created') return;
    expect(await staffView(mail.ticketKey)).toMatchObject({ channel: 'email', team: 'frontline' });
    expect(await staffView(sms.ticketKey)).toMatchObject({ channel: 'sms', team: 'frontline' });
    // In the application layer too, a customer never names the channel.
    await expect(createTicket(t.deps, customer, { subject: 's', body: 'b', channel: 'phone' })).rejects.toMatchObject({ code: 'CUSTOMER_FIELD_NOT_ALLOWED' });
  });

  it('staff are unaffected: they set tags, category, priority, channel and the requester', async () => {
    const r = await open('agent', { tags: ['legal'], category: 'contract', priority: 'urgent', channel: 'phone', requester_id: t.cast.actors.customerA.userId });
    expect(r.statusCode, r.body).toBe(201);
    // The legal rule routes a ticket tagged legal to the legal team (and sets priority high).
    expect(await staffView(r.json<{ key: string }>().key)).toMatchObject({ channel: 'phone', category: 'contract', tags: ['legal'], team: 'legal', level: 'L2' });
  });

  it('the policy section is validated: unknown fields and priorities are problems with their paths', () => {
    const bad = parsePolicy(policyWith('customer_fields:\n  settable: [priority, channel]\n  priority_max: critical\n  public: [sentiment]\n  extra: 1\n'));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const paths = bad.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['customer_fields.settable[1]', 'customer_fields.priority_max', 'customer_fields.public[0]', 'customer_fields.extra']));
    const good = parsePolicy(REFERENCE_POLICY);
    expect(good.ok && good.policy.customerFields).toEqual({ settable: ['priority'], priorityMax: 'high', public: [] });
  });
});
