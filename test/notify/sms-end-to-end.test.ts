/**
 * SMS end to end: a policy rule with SMS recipients (a role, whose phone is on the account, and
 * a literal number) → the live engine's outbox → the dispatcher → a local HTTP SMS provider.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { updateUser } from '../../src/app/update-user.ts';
import { createSmsChannel } from '../../src/notify/channels/sms.ts';
import { createDispatcher } from '../../src/notify/dispatcher.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { startSmsProvider } from './support/sms-provider.ts';

const POLICY = `
version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels:
  - { id: L1, name: One }
teams:
  one: { level: L1, calendar: always, members: [a1@x.com], lead: lead1@x.com }
sla:
  - id: all
    calendar: always
    targets:
      urgent: { first_response: 1h }
rules:
  - id: text-them
    on: ticket.created
    do:
      - notify: { to: [{ sms: requester }], template: ticket-received-customer }
      - notify: { to: [{ sms: "+1 (555) 000-2222" }], template: idle-reminder }
`;

describeStores('SMS notifications reach the provider', (s) => {
  let provider: Awaited<ReturnType<typeof startSmsProvider>>;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  beforeAll(async () => {
    provider = await startSmsProvider();
    deps = depsFor(s.store);
    cast = await makeCast(deps);
    await applyPolicy(deps, cast.actors.admin, POLICY, 'yaml');
  });
  afterAll(async () => {
    await provider.close();
  });

  it('a role recipient gets the SMS at the phone on their account, a literal number directly, through the configured provider', async () => {
    const customer = await updateUser(deps, cast.actors.customerA.userId, { phone: '+44 20 7946 0958' });
    expect(customer.phone).toBe('+442079460958');
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 'Text me', body: 'Please.' });
    const sms = createSmsChannel({ url: provider.url, authorization: 'Basic dGVzdDp0ZXN0', from: '+15559990000', format: 'form', fields: { to: 'To', from: 'From', text: 'Body' }, timeoutMs: 5000 });
    const d = createDispatcher({ store: s.store, clock: deps.clock, channels: { sms }, links: { publicUrl: 'https://escalon.example.com' } });
    await d.drain();
    deps.clock.advance(5 * 60_000); // people's messages gather for the merge window first
    await d.drain();
    const mine = provider.sent.filter((m) => (m.fields.Body ?? '').includes(ticket.key));
    expect(mine.map((m) => m.fields.To).sort()).toEqual(['+15550002222', '+442079460958']);
    expect(mine.every((m) => m.fields.From === '+15559990000' && m.authorization === 'Basic dGVzdDp0ZXN0' && m.idempotencyKey)).toBe(true);
  });

  it('a person without a phone number: the message fails once with the reason, nothing is sent', async () => {
    await updateUser(deps, cast.actors.customerA.userId, { phone: null });
    const { ticket } = await createTicket(deps, cast.actors.customerA, { subject: 'No phone', body: 'x' });
    const sms = createSmsChannel({ url: provider.url, format: 'json', fields: { to: 'to', from: 'from', text: 'text' }, timeoutMs: 5000 });
    const d = createDispatcher({ store: s.store, clock: deps.clock, channels: { sms }, links: { publicUrl: 'https://escalon.example.com' } });
    deps.clock.advance(5 * 60_000);
    await d.drain();
    const rows = await s.store.db.selectFrom('outbox').select(['recipient', 'status', 'last_error']).where('ticket_id', '=', ticket.id).execute();
    expect(rows.find((r) => r.recipient === cast.actors.customerA.email)).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/has no phone number on their account/) });
  });

  it('a phone number must be in international form', async () => {
    await expect(updateUser(deps, cast.actors.agent.userId, { phone: '555-1234' })).rejects.toThrow(/international form/);
  });
});
