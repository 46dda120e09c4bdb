/**
 * Tickets opened by staff on behalf of a customer (POST /api/v1/tickets with `requester: {email, name}`):
 * a phone call becomes a ticket with the right requester and organization.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTicket } from '../../src/app/create-ticket.ts';
import { createOrganization } from '../../src/app/manage-organization.ts';
import { createUser } from '../../src/app/create-user.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { findUserByEmail } from '../../src/store/users-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

interface TicketJson {
  key: string;
  requester_id: string;
  organization_id: string;
  channel: string;
}

describeStores('tickets opened by staff for a customer', (ctx) => {
  let t: TestApp;
  let n = 0;
  const unique = () => `${process.pid}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
  });
  afterAll(async () => {
    await t.app.close();
  });
  const post = (who: 'agent' | 'lead' | 'customerA', payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth(who), payload });

  it('a phone call from a new customer creates the customer in the organization of their email domain', async () => {
    const domain = `harbor-${unique()}.example`;
    const org = await createOrganization(t.deps, { name: `Harbor ${domain}`, tier: 'premium', contractValue: 50_000 });
    await createUser(t.deps, { email: `first@${domain}`, name: 'First', role: 'customer', organizationId: org.id });
    const res = await post('agent', { subject: 'Printer on fire', body: 'Called in: the label printer smokes.', channel: 'phone', requester: { email: `New.Caller@${domain.toUpperCase()}`, name: 'New Caller' } });
    expect(res.statusCode, res.body).toBe(201);
    const ticket = res.json<TicketJson>();
    const user = await findUserByEmail(ctx.store.db, `new.caller@${domain}`);
    expect(user).toMatchObject({ role: 'customer', organizationId: org.id, name: 'New Caller', passwordHash: null, active: true });
    expect(ticket).toMatchObject({ requester_id: user?.id, organization_id: org.id, channel: 'phone' });
  });

  it('an existing customer by email: the requester is the customer (not the agent), in their organization', async () => {
    const res = await post('agent', { subject: 'Chat: invoice question', body: 'Asked in chat about an invoice.', channel: 'chat', requester: { email: t.cast.actors.customerA.email, name: 'ignored' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<TicketJson>()).toMatchObject({ requester_id: t.cast.actors.customerA.userId, organization_id: t.cast.orgA, channel: 'chat' });
    const again = await findUserByEmail(ctx.store.db, t.cast.actors.customerA.email);
    expect(again?.name).toBe(t.cast.actors.customerA.name);
  });

  it('an agent (no organization of their own) opens a walk-in ticket for a new customer in a given organization', async () => {
    const email = `walker-${unique()}@gmail.com`;
    const res = await post('agent', { subject: 'Walk-in: badge', body: 'Came to the desk.', channel: 'walk-in', requester: { email, name: 'Walker' }, organization_id: t.cast.orgB });
    expect(res.statusCode, res.body).toBe(201);
    const user = await findUserByEmail(ctx.store.db, email);
    expect(res.json<TicketJson>()).toMatchObject({ requester_id: user?.id, organization_id: t.cast.orgB, channel: 'walk-in' });
  });

  it('requester_id is still accepted, and an existing customer cannot be moved to another organization', async () => {
    const ok = await post('lead', { subject: 'By id', body: 'b', requester_id: t.cast.actors.customerB.userId });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json<TicketJson>()).toMatchObject({ requester_id: t.cast.actors.customerB.userId, organization_id: t.cast.orgB });
    const moved = await post('agent', { subject: 'x', body: 'y', requester: { email: t.cast.actors.customerB.email }, organization_id: t.cast.orgA });
    expect(moved.statusCode).toBe(422);
    expect(moved.json<{ error: { code: string } }>().error.code).toBe('INVALID_REQUESTER');
  });

  it('staff name the requester: none, both, or a staff address are refused with a clear message', async () => {
    const none = await post('agent', { subject: 'x', body: 'y', organization_id: t.cast.orgA });
    expect(none.statusCode).toBe(422);
    expect(none.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'INVALID_REQUESTER', message: expect.stringContaining('requester {email, name}') });
    const both = await post('agent', { subject: 'x', body: 'y', requester_id: t.cast.actors.customerA.userId, requester: { email: t.cast.actors.customerA.email } });
    expect(both.json<{ error: { code: string } }>().error.code).toBe('INVALID_REQUESTER');
    const staff = await post('agent', { subject: 'x', body: 'y', requester: { email: t.cast.actors.agent2.email } });
    expect(staff.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'INVALID_REQUESTER', message: expect.stringContaining('staff account') });
  });

  it('a new customer whose address names no organization: refused without an intake organization, else placed there', async () => {
    const email = `lost-${unique()}@nowhere-${unique()}.example`;
    const res = await post('agent', { subject: 'x', body: 'y', channel: 'phone', requester: { email, name: 'Lost' } });
    expect(res.statusCode).toBe(422);
    expect(res.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'INVALID_REQUESTER', message: expect.stringContaining('give organization_id') });
    expect(await findUserByEmail(ctx.store.db, email)).toBeUndefined();
    const { ticket } = await createTicket(t.deps, t.cast.actors.agent, { subject: 'x', body: 'y', channel: 'phone', requester: { email, name: 'Lost' } }, { defaultOrganizationId: t.cast.orgB });
    expect(ticket.organizationId).toBe(t.cast.orgB);
    expect(ticket.requesterId).toBe((await findUserByEmail(ctx.store.db, email))?.id);
  });

  it('customers cannot use requester (nor requester_id)', async () => {
    const res = await post('customerA', { subject: 'x', body: 'y', requester: { email: `someone-${unique()}@example.org`, name: 'Someone' } });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { code: string; details: { field: string } } }>().error).toMatchObject({ code: 'CUSTOMER_FIELD_NOT_ALLOWED', details: { field: 'requester' } });
    await expect(createTicket(t.deps, t.cast.actors.customerA, { subject: 'x', body: 'y', requesterId: t.cast.actors.customerB.userId })).rejects.toBeInstanceOf(DomainError);
  });
});
