/**
 * End to end over real SMTP: a ticket under the reference policy breaches in the live engine;
 * its escalation writes outbox rows in the same transaction; the dispatcher delivers them to
 * a real SMTP sink — the right people and no one else, the customer the templated update
 * without any internal address.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { fireDueTimers } from '../../src/app/fire-timers.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { createEmailChannel } from '../../src/notify/channels/email.ts';
import { createDispatcher, type DispatcherDeps } from '../../src/notify/dispatcher.ts';
import { policyDirectory } from '../../src/notify/recipient-directory.ts';
import { earliestTimerDue } from '../../src/store/timers-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';

describeStores('escalation mail, live engine to SMTP', (s) => {
  let sink: SmtpSink;
  let cast: Cast;
  let deps: ReturnType<typeof depsFor>;
  let dispatcherDeps: DispatcherDeps;

  beforeAll(async () => {
    sink = await startSmtpSink();
    deps = depsFor(s.store);
    deps.clock.set(Date.parse('2026-12-01T15:00:00Z')); // Tuesday 10:00 in New York
    cast = await makeCast(deps);
    await applyPolicy(deps, cast.actors.admin, REFERENCE_POLICY, 'yaml');
    dispatcherDeps = {
      store: s.store,
      clock: deps.clock,
      channels: { email: createEmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: 'escalon@support.example.com', timeoutMs: 5000 }) },
      links: { publicUrl: 'https://escalon.example.com', secret: 'test-secret-0123456789abcdef0123456789abcdef', replyDomain: 'support.example.com' },
      directory: policyDirectory(() => deps.live.registry.current()?.policy ?? null),
      random: () => 1,
    };
  });
  afterAll(async () => {
    await dispatcherDeps.channels.email?.close?.();
    await sink.close();
  });

  it('sends the breach escalation to the team lead and the update to the customer, and to no one else', async () => {
    const start = deps.clock.now();
    const { ticket } = await createTicket(deps, cast.actors.agent, { requesterId: cast.actors.customerA.userId, subject: 'Checkout down', body: 'All payments fail.', priority: 'urgent' });
    // Up to the resolution breach (4 h, enterprise, 24x7) and its escalation to L2 — not beyond.
    for (;;) {
      const due = await earliestTimerDue(s.store.db);
      if (due === null || due > start + 4 * 3_600_000) break;
      deps.clock.set(due);
      await fireDueTimers({ store: s.store, clock: deps.clock, live: deps.live, owner: 'test' });
    }
    const sent = await createDispatcher(dispatcherDeps).drain();
    expect(sent).toBeGreaterThan(0);
    await sink.waitFor(sent);
    const mails = sink.received.filter((m) => m.subject?.includes(ticket.key));
    const to = (m: (typeof mails)[number]) => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address));
    const recipients = new Set(mails.flatMap(to));
    // first-response-breach-urgent → team lead + on call (engineering's rotation); breach-goes-up →
    // the new team's lead and the requester. Nobody else: no team members, no managers.
    const onCall = ['eli@example.com', 'eva@example.com'];
    expect([...recipients].every((r) => r === 'lina@example.com' || r === cast.actors.customerA.email || onCall.includes(r ?? ''))).toBe(true);
    expect(recipients.has('lina@example.com')).toBe(true);
    // Real due times, in the recipient's zone (lina: her team calendar's, New York), never a vague word.
    const linas = mails.filter((m) => to(m).includes('lina@example.com')).map((m) => m.text ?? '');
    expect(linas.some((t) => /was due at Tue 1 Dec 2026 \d\d:\d\d EST/.test(t))).toBe(true);
    expect(linas.join('\n')).not.toMatch(/\bsoon\b|due earlier/);
    expect(recipients.has(cast.actors.customerA.email)).toBe(true);
    const customerMails = mails.filter((m) => to(m).includes(cast.actors.customerA.email));
    expect(customerMails).toHaveLength(1);
    const text = `${customerMails[0]?.text ?? ''}${String(customerMails[0]?.html ?? '')}`;
    expect(text).not.toMatch(/lina@example\.com|eli@example\.com|eva@example\.com|marc@example\.com/);
    expect(text).not.toMatch(/sla-breach|internal/i);
  });
});
