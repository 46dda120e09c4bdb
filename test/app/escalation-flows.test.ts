/**
 * Escalation flows a support team can trust, through the HTTP API on both databases: who may
 * acknowledge, a customer's request as a first-class flow, queues for people with several
 * teams (and "waiting for my acknowledgement"), and the requester's view for staff.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { contactOf } from '../../src/app/read-requester.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

type Json = Record<string, unknown>;
const documentation = { summary: 'Exports fail', steps_taken: 'Retried twice', needs_attention: 'Worker crash' };

function policyFor(t: TestApp): string {
  const a = t.cast.actors;
  return `version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels:
  - { id: L1, name: Frontline support }
  - { id: L2, name: Specialist support }
  - { id: L3, name: Engineering }
teams:
  frontline: { level: L1, calendar: always, members: [${a.agent.email}], lead: ${a.lead.email} }
  specialists: { level: L2, calendar: always, members: [${a.agent2.email}], lead: ${a.lead.email} }
  engineering: { level: L3, calendar: always, members: [eng@example.com] }
sla:
  - { id: all, calendar: always, targets: { normal: { resolution: 48h } } }
`;
}

describeStores('escalation flows', (ctx) => {
  let t: TestApp;
  const call = async (who: Person, method: 'GET' | 'POST', url: string, payload?: Json) => {
    const res = await t.app.inject({ method, url: `/api/v1${url}`, headers: t.auth(who), ...(payload && { payload }) });
    return { status: res.statusCode, body: res.json<Json>() };
  };
  const newTicket = async (subject = 'Exports fail', body = 'Exports fail since Monday.') =>
    (await createTicket(t.deps, t.cast.actors.customerA, { subject, body })).ticket.key;
  const slaOf = async (who: Person, key: string) => (await call(who, 'GET', `/tickets/${key}/sla`)).body.escalation as Json;
  const keys = (body: Json) => (body.items as Array<{ key: string }>).map((x) => x.key);

  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(Date.parse('2026-12-01T10:00:00Z'));
    await applyPolicy(t.deps, t.cast.actors.admin, policyFor(t), 'yaml');
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('the escalating agent may not acknowledge her own escalation; the receiving team may, and the API says who can', async () => {
    const key = await newTicket();
    const up = await call('agent', 'POST', `/tickets/${key}/escalate`, { reason: 'technical_complexity', documentation, require_acknowledgement: true });
    expect(up.status).toBe(200);
    expect(await slaOf('agent', key)).toMatchObject({ can_acknowledge: false, acknowledge_refusal: expect.stringContaining('you made this escalation') });
    expect(await slaOf('agent2', key)).toMatchObject({ can_acknowledge: true, acknowledge_refusal: null });
    const own = await call('agent', 'POST', `/tickets/${key}/acknowledge`);
    expect(own.status).toBe(403);
    expect((own.body.error as Json).code).toBe('ACKNOWLEDGEMENT_NOT_ALLOWED');
    const receiving = await call('agent2', 'POST', `/tickets/${key}/acknowledge`);
    expect(receiving.status).toBe(200);
  });

  it('escalating to a team down the ladder is refused (de-escalate instead), so a pending acknowledgement is not silently dropped', async () => {
    const key = await newTicket();
    expect((await call('agent', 'POST', `/tickets/${key}/escalate`, { reason: 'technical_complexity', documentation, to_team: 'engineering', require_acknowledgement: true })).status).toBe(200);
    const down = await call('agent', 'POST', `/tickets/${key}/escalate`, { reason: 'technical_complexity', documentation, to_team: 'specialists' });
    expect(down.status).toBe(409);
    expect(down.body.error).toMatchObject({ code: 'ESCALATION_REFUSED', message: expect.stringContaining('de-escalate instead') });
    expect(await slaOf('lead', key)).toMatchObject({ acknowledgement_pending: expect.anything() });
  });

  it('a staff member outside the receiving team is refused; the lead of the receiving team may acknowledge even her own escalation; a manager may', async () => {
    const key = await newTicket();
    await call('lead', 'POST', `/tickets/${key}/escalate`, { reason: 'technical_complexity', documentation, require_acknowledgement: true });
    const outsider = await call('agent', 'POST', `/tickets/${key}/acknowledge`);
    expect(outsider.status).toBe(403);
    expect((outsider.body.error as Json).message).toMatch(/only the receiving team specialists/);
    expect((await call('lead', 'POST', `/tickets/${key}/acknowledge`)).status).toBe(200);

    const key2 = await newTicket();
    await call('agent', 'POST', `/tickets/${key2}/escalate`, { reason: 'technical_complexity', documentation, require_acknowledgement: true });
    expect((await call('manager', 'POST', `/tickets/${key2}/acknowledge`)).status).toBe(200);

    // A manager who escalated is not in the receiving team's lead chain: someone else confirms.
    const key3 = await newTicket();
    await call('manager', 'POST', `/tickets/${key3}/escalate`, { reason: 'technical_complexity', documentation, require_acknowledgement: true });
    expect((await call('manager', 'POST', `/tickets/${key3}/acknowledge`)).status).toBe(403);
    expect((await call('admin', 'POST', `/tickets/${key3}/acknowledge`)).status).toBe(200);
  });

  it('the agent the escalated ticket is assigned to may acknowledge it, though outside the receiving team', async () => {
    const key = await newTicket();
    await call('manager', 'POST', `/tickets/${key}/escalate`, { reason: 'technical_complexity', documentation, require_acknowledgement: true });
    expect((await call('agent', 'POST', `/tickets/${key}/acknowledge`)).status).toBe(403);
    const ticket = (await call('admin', 'GET', `/tickets/${key}`)).body;
    const assigned = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tickets/${key}`,
      headers: t.auth('admin'),
      payload: { assignee_id: t.cast.actors.agent.userId, version: ticket.version },
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(await slaOf('agent', key)).toMatchObject({ can_acknowledge: true });
    expect((await call('agent', 'POST', `/tickets/${key}/acknowledge`)).status).toBe(200);
  });

  it('"waiting for my acknowledgement" lists only what I may acknowledge; a lead of two teams sees both teams at once', async () => {
    const atL1 = await newTicket('Stays in frontline', 'Reset my password please.');
    const atL2 = await newTicket();
    await call('agent', 'POST', `/tickets/${atL2}/escalate`, { reason: 'technical_complexity', documentation, require_acknowledgement: true });
    expect(keys((await call('agent2', 'GET', '/queues/awaiting-ack')).body)).toContain(atL2);
    expect(keys((await call('agent', 'GET', '/queues/awaiting-ack')).body)).not.toContain(atL2);
    expect(keys((await call('lead', 'GET', '/queues/awaiting-ack')).body)).toContain(atL2);
    const both = keys((await call('lead', 'GET', '/tickets?team=frontline,specialists&limit=200')).body);
    expect(both).toEqual(expect.arrayContaining([atL1, atL2]));
    const escalated = keys((await call('lead', 'GET', '/queues/escalated?team=frontline,specialists')).body);
    expect(escalated).toContain(atL2);
    expect(escalated).not.toContain(atL1);
  });

  it('a customer must give a reason; it travels with the escalation, and requests while one is open are recorded, not escalated', async () => {
    const key = await newTicket();
    const empty = await call('customerA', 'POST', `/tickets/${key}/escalate`, { comment: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'body.comment' }] } });
    const long = await call('customerA', 'POST', `/tickets/${key}/escalate`, { comment: 'x'.repeat(2001) });
    expect(long.status).toBe(400);

    const first = await call('customerA', 'POST', `/tickets/${key}/escalate`, { comment: 'Our payroll run is blocked.' });
    expect(first.status).toBe(200);
    expect(first.body.request).toMatchObject({ outcome: 'escalated', level: 'L2', level_name: 'Specialist support' });
    expect((first.body.request as Json).message).toContain('Specialist support');
    const second = await call('customerA', 'POST', `/tickets/${key}/escalate`, { comment: 'Still blocked!' });
    const third = await call('customerA', 'POST', `/tickets/${key}/escalate`, { comment: 'Anyone?' });
    expect(second.body.request).toMatchObject({ outcome: 'recorded', level: 'L2', level_name: 'Specialist support' });
    expect(third.body.request).toMatchObject({ outcome: 'recorded', level: 'L2' });
    expect(third.body.ticket as Json).not.toHaveProperty('level');
    expect((third.body.request as Json).next_request_from).toBe('2026-12-02T10:00:00.000Z');

    const history = (await call('agent', 'GET', `/tickets/${key}/escalations`)).body.items as Array<{ type: string; payload: Json }>;
    expect(history.map((e) => [e.type, e.payload.comment])).toEqual([
      ['ticket.escalated', 'Our payroll run is blocked.'],
      ['escalation.request_recorded', 'Still blocked!'],
      ['escalation.request_recorded', 'Anyone?'],
    ]);
    expect((history[0]?.payload.documentation as Json).summary).toBe('Our payroll run is blocked.');
    const mine = await call('customerA', 'GET', `/tickets/${key}/events`);
    expect(JSON.stringify(mine.body)).not.toContain('request_recorded');
  });

  it('staff see who the requester is, their other tickets, and the cues with the words that set them; customers do not', async () => {
    const older = await newTicket('Older one', 'A question about exports.');
    const key = await newTicket('Invoice wrong', 'You charged us twice. We will cancel our subscription!!!');
    await call('customerA', 'POST', `/tickets/${key}/comments`, { body: 'Thanks, that is great, much better now.', public: true });
    const view = await call('agent', 'GET', `/tickets/${key}/requester`);
    expect(view.status).toBe(200);
    expect(view.body.requester).toMatchObject({ email: t.cast.actors.customerA.email, name: 'customer-a' });
    expect(view.body.organization).toMatchObject({ tier: 'enterprise', contract_value: 250000 });
    expect((view.body.other_tickets as Array<{ key: string }>).map((o) => o.key)).toContain(older);
    const cues = view.body.cues as { sentiment: Array<{ value: number; source: string }>; trend: Json; flags: Array<{ flag: string; words: string[] }> };
    expect(cues.sentiment.map((s) => s.source)).toEqual(['ticket', 'comment']);
    expect(cues.trend).toMatchObject({ direction: 'improving' });
    expect(cues.flags.find((f) => f.flag === 'billing')?.words).toEqual(expect.arrayContaining(['charged us twice']));
    expect(cues.flags.find((f) => f.flag === 'churn')?.words.join(' ')).toMatch(/cancel/);
    expect((await call('customerA', 'GET', `/tickets/${key}/requester`)).status).toBe(403);
  });

  it('a requester who wrote from a phone shows the number, not intake\'s pseudo-address', () => {
    expect(contactOf('+15551234567@sms.intake.invalid')).toEqual({ email: null, phone: '+15551234567' });
    expect(contactOf('jo_handle@chat.intake.invalid')).toEqual({ email: null, phone: null });
    expect(contactOf('kim@initech.example')).toEqual({ email: 'kim@initech.example', phone: null });
  });
});
