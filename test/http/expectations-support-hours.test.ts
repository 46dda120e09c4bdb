import { afterAll, beforeAll, expect, it } from 'vitest';
import { addComment } from '../../src/app/add-comment.ts';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { updateTicket } from '../../src/app/update-ticket.ts';
import { loadRenderContext } from '../../src/notify/render-context-loader.ts';
import { redactForCustomer } from '../../src/notify/templates/redact.ts';
import { renderTemplate } from '../../src/notify/templates/render.ts';
import { BUILTIN_TEMPLATES } from '../../src/notify/templates/template-store.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

// The test clock starts Monday 2026-03-02 09:00 UTC = 04:00 in New York (before opening).
describeStores('what the customer may expect, and the public support hours', (s) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(s.store);
    await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
  });
  afterAll(() => t.app.close());

  it('a standard customer\'s new ticket: reply within 4 business hours, resolution due in the calendar\'s zone (New York)', async () => {
    const { ticket } = await createTicket(t.deps, t.cast.actors.customerB, { subject: 'Slow dashboard', body: 'since Monday' });
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}`, headers: t.auth('customerB') });
    expect(r.statusCode).toBe(200);
    expect(r.json().expectations).toEqual({
      // 4 business hours from opening (09:00–12:00, 13:00–17:00 New York): 14:00 EST.
      first_response_due: '2026-03-02T19:00:00.000Z',
      // 8 business hours: 7 on Monday, 1 on Tuesday → Tue 10:00 EST.
      resolution_due: '2026-03-03T15:00:00.000Z',
      time_zone: 'America/New_York',
      text: "We'll reply within 4 business hours (by Mon, Mar 2, 2026, 2:00 PM EST). We expect to resolve your request by Tue, Mar 3, 2026, 10:00 AM EST.",
    });

    // Once support has replied, only the resolution is promised; while waiting on the customer, it is paused.
    await addComment(t.deps, t.cast.actors.agent, ticket.key, { body: 'Looking into it', public: true });
    const replied = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}`, headers: t.auth('customerB') })).json().expectations;
    expect(replied).toMatchObject({ first_response_due: null, resolution_due: '2026-03-03T15:00:00.000Z', text: 'We expect to resolve your request by Tue, Mar 3, 2026, 10:00 AM EST.' });
    await updateTicket(t.deps, t.cast.actors.agent, ticket.key, { status: 'pending' });
    const paused = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}`, headers: t.auth('customerB') })).json().expectations;
    expect(paused).toMatchObject({ resolution_due: null, text: 'The expected resolution time is paused while we wait for your answer.' });
    await updateTicket(t.deps, t.cast.actors.agent, ticket.key, { status: 'solved' });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}`, headers: t.auth('customerB') })).json().expectations).toEqual({
      first_response_due: null,
      resolution_due: null,
      time_zone: null,
      text: null,
    });
  });

  it('the customer mail (ticket received) tells the same expectations, from the render context', async () => {
    const { ticket } = await createTicket(t.deps, t.cast.actors.customerB, { subject: 'Mail me', body: 'x' });
    const loaded = await loadRenderContext(s.store.db, ticket.id, { address: t.cast.actors.customerB.email, role: 'requester' }, { ticketUrl: (k) => `https://x/${k}`, surveyUrl: () => null }, null);
    expect(loaded?.ctx.expectations).toMatchObject({ first_response_due: '2026-03-02T19:00:00.000Z', time_zone: 'America/New_York' });
    const mail = await renderTemplate('ticket-received-customer', BUILTIN_TEMPLATES['ticket-received-customer']!, redactForCustomer(loaded!.ctx));
    expect(mail.text).toContain("We'll reply within 4 business hours (by Mon, Mar 2, 2026, 2:00 PM EST). We expect to resolve your request by Tue, Mar 3, 2026, 10:00 AM EST.");
  });

  it('an enterprise ticket on the 24x7 calendar promises plain hours', async () => {
    const { ticket } = await createTicket(t.deps, t.cast.actors.agent, { requesterId: t.cast.actors.customerA.userId, subject: 'API errors', body: '502s', priority: 'urgent' });
    const e = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}`, headers: t.auth('customerA') })).json().expectations;
    expect(e).toMatchObject({ first_response_due: '2026-03-02T09:15:00.000Z', resolution_due: '2026-03-02T13:00:00.000Z', time_zone: 'UTC' });
    expect(e.text).toContain("We'll reply within 15 minutes (by Mon, Mar 2, 2026, 9:15 AM UTC).");
  });

  it('GET /support-hours is public and generated from the policy in force: hours, holidays, targets per tier', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/support-hours' });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(b.policy_version).toBeGreaterThan(0);
    const us = b.calendars.find((c: { id: string }) => c.id === 'us-business');
    expect(us).toMatchObject({
      time_zone: 'America/New_York',
      always_open: false,
      hours: { mon: ['09:00-12:00', '13:00-17:00'], fri: ['09:00-12:00', '13:00-17:00'], sat: [], sun: [] },
      upcoming_holidays: ['2026-11-26', '2026-12-25', '2027-01-01'],
    });
    expect(b.calendars.find((c: { id: string }) => c.id === 'always')).toMatchObject({ always_open: true, hours: { sun: ['00:00-24:00'] } });
    // Only the calendars the SLA policies use are published (not the legal team's Berlin hours).
    expect(b.calendars.map((c: { id: string }) => c.id).sort()).toEqual(['always', 'us-business']);
    expect(b.tiers).toMatchObject([
      { sla_policy: 'enterprise', tiers: ['enterprise'], applies_to: 'enterprise customers', time_zone: 'UTC' },
      { sla_policy: 'standard', tiers: null, applies_to: 'all other customers', time_zone: 'America/New_York' },
    ]);
    expect(b.tiers[0].targets[0]).toEqual({
      priority: 'urgent',
      first_response: { ms: 900_000, text: '15 minutes' },
      next_response: { ms: 1_800_000, text: '30 minutes' },
      periodic_update: { ms: 3_600_000, text: '1 hour' },
      resolution: { ms: 14_400_000, text: '4 hours' },
    });
    expect(b.tiers[1].targets.map((x: { priority: string }) => x.priority)).toEqual(['urgent', 'high', 'normal', 'low']);
    expect(b.tiers[1].targets[3]).toEqual({ priority: 'low', first_response: { ms: 28_800_000, text: '8 business hours' }, resolution: { ms: 144_000_000, text: '40 business hours' } });
  });
});
