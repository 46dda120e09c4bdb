/**
 * Playbooks through the HTTP API on both databases: a checklist attached on escalation (manual
 * and by a rule), ticks as events, the solve / de-escalation guard naming the open items, one
 * checklist per reason, a policy change keeping what was attached, customers kept out, and
 * macros listed and previewed against a ticket.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

type Json = Record<string, unknown>;
const documentation = { summary: 'Lawyer letter', steps_taken: 'Read it', needs_attention: 'Deadline' };

function policyFor(t: TestApp, legalTitle = 'Legal & compliance'): string {
  const a = t.cast.actors;
  return `version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels:
  - { id: L1, name: Frontline }
  - { id: L2, name: Specialists }
  - { id: L3, name: Engineering }
teams:
  frontline: { level: L1, calendar: always, members: [${a.agent.email}], lead: ${a.lead.email} }
  specialists: { level: L2, calendar: always, members: [${a.agent2.email}], lead: ${a.lead.email} }
  engineering: { level: L3, calendar: always, members: [eng@example.com] }
sla:
  - { id: all, calendar: always, targets: { normal: { resolution: 48h } } }
rules:
  - id: legal-words
    on: ticket.created
    if: { text: { matches: "(?i)lawsuit" } }
    do:
      - escalate: { to: next_level, reason: legal_compliance }
playbooks:
  checklists:
    legal_compliance:
      title: ${legalTitle}
      items:
        - { id: counsel, text: Loop in legal counsel, required: true }
        - { id: preserve, text: Preserve the records, required: true }
        - { id: tone, text: Check the tone of replies }
    technical_complexity:
      title: Technical hand-off
      items:
        - { id: reproduce, text: Reproduce it, required: true }
  macros:
    - id: ask-logs
      name: Ask for logs
      visibility: public
      body: "Hi {{ customer.first_name }}, please send the logs for {{ ticket.key }}. — {{ agent.name }}"
      set: { status: pending, tags: [waiting-logs] }
    - id: note
      name: Internal note
      visibility: internal
      body: "Escalated by {{ agent.name }}"
`;
}

describeStores('playbooks: checklists and macros', (ctx) => {
  let t: TestApp;
  const call = async (who: Person, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: Json) => {
    const res = await t.app.inject({ method, url: `/api/v1${url}`, headers: t.auth(who), ...(payload && { payload }) });
    return { status: res.statusCode, body: res.json<Json>() };
  };
  const newTicket = async (subject = 'Contract question', body = 'Please look at our contract.') =>
    (await createTicket(t.deps, t.cast.actors.customerA, { subject, body })).ticket.key;
  const lists = async (key: string) => (await call('agent', 'GET', `/tickets/${key}/checklists`)).body.checklists as Array<Json & { items: Json[] }>;
  const tick = (key: string, checklist: string, item: string, done = true) => call('agent2', 'PUT', `/tickets/${key}/checklists/${checklist}/items/${item}`, { done });

  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(Date.parse('2026-12-01T10:00:00Z'));
    await applyPolicy(t.deps, t.cast.actors.admin, policyFor(t), 'yaml');
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('a manual legal escalation attaches the checklist; solving with required items open is refused naming them; ticking them allows it', async () => {
    const key = await newTicket();
    expect(await lists(key)).toEqual([]);
    expect((await call('agent', 'POST', `/tickets/${key}/escalate`, { reason: 'legal_compliance', documentation })).status).toBe(200);
    const [legal] = await lists(key);
    expect(legal).toMatchObject({ checklist: 'legal_compliance', title: 'Legal & compliance', open_required: 2, escalation_id: expect.any(String) });
    expect(legal?.items.map((i) => [i.id, i.required, i.done])).toEqual([['counsel', true, false], ['preserve', true, false], ['tone', false, false]]);

    const refused = await call('agent2', 'PATCH', `/tickets/${key}`, { status: 'solved' });
    expect(refused.status).toBe(409);
    const error = refused.body.error as Json;
    expect(error.code).toBe('CHECKLIST_INCOMPLETE');
    expect(error.message).toContain('"Loop in legal counsel"');
    expect(error.message).toContain('"Preserve the records"');
    expect(error.message).not.toContain('Check the tone');
    expect((error.details as Json).open).toEqual([
      { checklist: 'legal_compliance', item: 'counsel', text: 'Loop in legal counsel' },
      { checklist: 'legal_compliance', item: 'preserve', text: 'Preserve the records' },
    ]);

    t.deps.clock.advance(60_000);
    const ticked = await tick(key, 'legal_compliance', 'counsel');
    expect(ticked.status).toBe(200);
    const counsel = ((ticked.body.checklists as Array<{ items: Json[] }>)[0]?.items ?? [])[0];
    expect(counsel).toMatchObject({ done: true, done_at: '2026-12-01T10:01:00.000Z', done_by: { id: t.cast.actors.agent2.userId, name: 'agent2' } });
    // Ticking again changes nothing (no second event).
    await tick(key, 'legal_compliance', 'counsel');
    const stillOne = await call('agent2', 'PATCH', `/tickets/${key}`, { status: 'solved' });
    expect((stillOne.body.error as Json).message).toContain('"Preserve the records"');
    expect((stillOne.body.error as Json).message).not.toContain('"Loop in legal counsel"');
    await tick(key, 'legal_compliance', 'preserve');
    expect((await call('agent2', 'PATCH', `/tickets/${key}`, { status: 'solved' })).status).toBe(200);

    const events = (await call('agent', 'GET', `/tickets/${key}/events`)).body;
    const types = ((events.items ?? events.events) as Array<{ type: string }>).map((e) => e.type);
    expect(types.filter((x) => x === 'checklist.item_checked')).toHaveLength(2);
    expect(types.indexOf('checklist.attached')).toBe(types.indexOf('ticket.escalated') + 1);
  });

  it('unticking reopens an item; de-escalation is refused while a required item is open', async () => {
    const key = await newTicket();
    await call('agent', 'POST', `/tickets/${key}/escalate`, { reason: 'legal_compliance', documentation });
    await tick(key, 'legal_compliance', 'counsel');
    await tick(key, 'legal_compliance', 'preserve');
    await tick(key, 'legal_compliance', 'preserve', false);
    const [legal] = await lists(key);
    expect(legal?.open_required).toBe(1);
    const down = await call('lead', 'POST', `/tickets/${key}/de-escalate`, { reason: 'Back to frontline' });
    expect(down.status).toBe(409);
    expect(down.body.error).toMatchObject({ code: 'CHECKLIST_INCOMPLETE', message: expect.stringContaining('de-escalated') });
    await tick(key, 'legal_compliance', 'preserve');
    expect((await call('lead', 'POST', `/tickets/${key}/de-escalate`, { reason: 'Back to frontline' })).status).toBe(200);
  });

  it('a rule escalating for legal reasons attaches it too; a second escalation for another reason adds its own, the same reason keeps the first', async () => {
    const key = await newTicket('A lawsuit', 'We are preparing a lawsuit.');
    expect((await lists(key)).map((c) => c.checklist)).toEqual(['legal_compliance']);
    await tick(key, 'legal_compliance', 'counsel');
    await call('agent2', 'POST', `/tickets/${key}/escalate`, { reason: 'technical_complexity', documentation });
    expect((await lists(key)).map((c) => c.checklist)).toEqual(['legal_compliance', 'technical_complexity']);
    await call('lead', 'POST', `/tickets/${key}/escalate`, { reason: 'legal_compliance', documentation, to_level: 'L3' }).catch(() => undefined);
    const after = await lists(key);
    expect(after.map((c) => c.checklist)).toEqual(['legal_compliance', 'technical_complexity']);
    expect(after[0]?.items[0]).toMatchObject({ id: 'counsel', done: true });
  });

  it('a new policy version keeps a checklist as attached; unknown items are 404 with what the ticket has; customers are kept out', async () => {
    const key = await newTicket();
    await call('agent', 'POST', `/tickets/${key}/escalate`, { reason: 'legal_compliance', documentation });
    await applyPolicy(t.deps, t.cast.actors.admin, policyFor(t, 'Legal (v2)'), 'yaml');
    expect((await lists(key))[0]?.title).toBe('Legal & compliance');
    const missing = await tick(key, 'legal_compliance', 'nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'CHECKLIST_ITEM_NOT_FOUND', message: expect.stringContaining('counsel, preserve, tone') });
    expect((await tick(key, 'sla_risk', 'x')).status).toBe(404);
    expect((await call('customerA', 'GET', `/tickets/${key}/checklists`)).status).toBe(403);
    const seen = (await call('customerA', 'GET', `/tickets/${key}/events`)).body;
    expect(JSON.stringify(seen)).not.toContain('checklist');
    await applyPolicy(t.deps, t.cast.actors.admin, policyFor(t), 'yaml');
  });

  it('the bottleneck report has completion time per checklist item (attach → tick)', async () => {
    t.deps.clock.set(Date.parse('2026-12-03T09:00:00Z'));
    const keys = [await newTicket(), await newTicket()];
    for (const key of keys) await call('agent', 'POST', `/tickets/${key}/escalate`, { reason: 'legal_compliance', documentation });
    t.deps.clock.advance(10 * 60_000);
    await tick(keys[0] as string, 'legal_compliance', 'counsel');
    t.deps.clock.advance(20 * 60_000);
    await tick(keys[1] as string, 'legal_compliance', 'counsel');
    const r = await call('manager', 'GET', '/reports/bottlenecks?from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00Z&tz=UTC');
    expect(r.status).toBe(200);
    const items = (r.body.bottlenecks as { checklist_items: Json[] }).checklist_items;
    expect(items.find((i) => i.key === 'legal_compliance/counsel')).toMatchObject({ attached: 2, done: 2, median_ms: 10 * 60_000, p90_ms: 30 * 60_000, required: true });
    expect(items.find((i) => i.key === 'legal_compliance/preserve')).toMatchObject({ attached: 2, done: 0, median_ms: null });
    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/reports/bottlenecks?from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00Z&tz=UTC&format=csv', headers: t.auth('manager') });
    expect(csv.body).toContain('bottlenecks.checklist_items,legal_compliance/counsel,median_ms,600000');
  });

  it('lists macros and previews one against a ticket with the customer and agent filled in', async () => {
    const key = await newTicket();
    const list = await call('agent', 'GET', '/macros');
    expect(list.status).toBe(200);
    expect((list.body.items as Json[]).map((m) => m.id)).toEqual(['ask-logs', 'note']);
    const preview = await call('agent', 'POST', `/tickets/${key}/macros/ask-logs/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ macro: 'ask-logs', name: 'Ask for logs', visibility: 'public', body: `Hi customer-a, please send the logs for ${key}. — agent`, set: { status: 'pending', tags: ['waiting-logs'] } });
    const unknown = await call('agent', 'POST', `/tickets/${key}/macros/nope/preview`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'MACRO_NOT_FOUND', message: expect.stringContaining('ask-logs, note') });
    expect((await call('customerA', 'GET', '/macros')).status).toBe(403);
  });
});
