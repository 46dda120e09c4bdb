/**
 * Administration use cases (issue 13) on both stores: invitation → set-password link (single
 * use, expiring, stored hashed) → sign-in; an admin's reset ends access at once; deactivation
 * ends sessions and tokens; a webhook test send is delivered signed and shows in the delivery
 * log; a template preview renders against a real ticket or names the problem's line.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authenticateToken } from '../../src/app/authenticate.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { createToken } from '../../src/app/create-token.ts';
import { createUser } from '../../src/app/create-user.ts';
import { login } from '../../src/app/login.ts';
import { createOrganization, updateOrganization } from '../../src/app/manage-organization.ts';
import { receiveMessage } from '../../src/intake/receive-message.ts';
import { findUserByEmail } from '../../src/store/users-repo.ts';
import { LINK_TTL_MS, sendPasswordLink, setPasswordWithLink } from '../../src/app/password-links.ts';
import { previewTemplate } from '../../src/app/preview-template.ts';
import { updateUser } from '../../src/app/update-user.ts';
import { createWebhookEndpoint, queueWebhookPing, webhookDeliveryLog } from '../../src/app/webhook-admin.ts';
import { digest } from '../../src/auth/secrets.ts';
import type { Channel, OutgoingMessage } from '../../src/notify/channels/channel.ts';
import { createWebhookChannel } from '../../src/notify/channels/webhook.ts';
import { createDispatcher } from '../../src/notify/dispatcher.ts';
import { updateEndpoint } from '../../src/notify/webhook-endpoints-repo.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/support/webhook-receiver.ts';

const PASSWORD = 'a long enough passphrase 7';

describeStores('administration', (s) => {
  let deps: ReturnType<typeof depsFor>;
  let cast: Cast;
  let rx: WebhookReceiver;
  const mails: OutgoingMessage[] = [];
  const mail: Channel = { name: 'email', deliver: async (m) => (mails.push(m), { kind: 'sent' }) };

  beforeAll(async () => {
    deps = depsFor(s.store);
    cast = await makeCast(deps, PASSWORD);
    rx = await startWebhookReceiver('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });
  afterAll(() => rx.close());

  const dispatcher = () =>
    createDispatcher({
      store: s.store,
      clock: deps.clock,
      channels: { email: mail, webhook: createWebhookChannel(s.store.db, { timeoutMs: 3000, allowPrivate: false, disableAfter: 100 }) },
      links: { publicUrl: 'https://escalon.example.com' },
      random: () => 0.5,
    });
  const linkIn = (m: OutgoingMessage) => {
    const token = /set-password\?token=([A-Za-z0-9_-]+)/.exec(m.text)?.[1];
    if (!token) throw new Error(`no link in ${m.text}`);
    return token;
  };

  it('an invited user gets a one-time link by mail, sets a password and signs in; the link works once', async () => {
    const user = await createUser(deps, { email: `invited-${s.dialect}@example.com`, name: 'Ines Invited', role: 'agent' });
    const sent = await sendPasswordLink(deps, { userId: user.id, purpose: 'invite', by: cast.actors.admin.userId, publicUrl: 'https://escalon.example.com/' });
    expect(sent.expiresAt).toBe(deps.clock.now() + LINK_TTL_MS);
    mails.length = 0;
    await dispatcher().drain();
    const m = mails.find((x) => x.to === user.email);
    expect(m?.subject).toBe('Your Escalon account');
    expect(m?.text).toContain('https://escalon.example.com/set-password?token=');
    const token = linkIn(m as OutgoingMessage);
    // Only the digest is stored.
    const row = await s.store.db.selectFrom('password_links').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.token_digest).toBe(digest(token));
    expect(JSON.stringify(row)).not.toContain(token);
    await expect(setPasswordWithLink(deps, { token, password: 'short' })).rejects.toMatchObject({ code: 'WEAK_PASSWORD' });
    expect(await setPasswordWithLink(deps, { token, password: PASSWORD })).toEqual({ email: user.email });
    const signedIn = await login(deps, { email: user.email, password: PASSWORD }, 3_600_000);
    expect(signedIn.actor.userId).toBe(user.id);
    await expect(setPasswordWithLink(deps, { token, password: 'another passphrase 99' })).rejects.toMatchObject({ code: 'PASSWORD_LINK_INVALID' });
  });

  it('a link expires; a newer link replaces the older one', async () => {
    const user = await createUser(deps, { email: `late-${s.dialect}@example.com`, name: 'Lee Late', role: 'agent' });
    mails.length = 0;
    await sendPasswordLink(deps, { userId: user.id, purpose: 'invite', by: null, publicUrl: 'https://e.example' });
    await dispatcher().drain();
    const first = linkIn(mails.at(-1) as OutgoingMessage);
    await sendPasswordLink(deps, { userId: user.id, purpose: 'invite', by: null, publicUrl: 'https://e.example' });
    await dispatcher().drain();
    const second = linkIn(mails.at(-1) as OutgoingMessage);
    await expect(setPasswordWithLink(deps, { token: first, password: PASSWORD })).rejects.toMatchObject({ code: 'PASSWORD_LINK_INVALID' });
    deps.clock.advance(LINK_TTL_MS + 1);
    await expect(setPasswordWithLink(deps, { token: second, password: PASSWORD })).rejects.toMatchObject({ code: 'PASSWORD_LINK_EXPIRED' });
  });

  it("an admin's reset ends the user's sessions and tokens at once and the old password stops working", async () => {
    const user = await createUser(deps, { email: `reset-${s.dialect}@example.com`, name: 'Rey Reset', role: 'agent', password: PASSWORD });
    const { secret } = await createToken(deps, { user: { id: user.id }, name: 'cli' });
    expect(await authenticateToken(deps, secret)).toBeTruthy();
    const sent = await sendPasswordLink(deps, { userId: user.id, purpose: 'reset', by: cast.actors.admin.userId, publicUrl: 'https://e.example' });
    expect(sent.accessEnded?.tokens).toBe(1);
    expect(await authenticateToken(deps, secret)).toBeFalsy();
    await expect(login(deps, { email: user.email, password: PASSWORD }, 3_600_000)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('deactivation ends sessions and tokens; a deactivated user gets no link and a pending link stops working', async () => {
    const user = await createUser(deps, { email: `gone-${s.dialect}@example.com`, name: 'Gus Gone', role: 'agent', password: PASSWORD });
    const { secret } = await createToken(deps, { user: { id: user.id }, name: 'cli' });
    mails.length = 0;
    await sendPasswordLink(deps, { userId: user.id, purpose: 'invite', by: null, publicUrl: 'https://e.example' });
    await dispatcher().drain();
    const token = linkIn(mails.at(-1) as OutgoingMessage);
    const r = await updateUser(deps, user.id, { active: false });
    expect(r.accessEnded?.tokens).toBe(1);
    expect(await authenticateToken(deps, secret)).toBeFalsy();
    await expect(setPasswordWithLink(deps, { token, password: PASSWORD })).rejects.toMatchObject({ code: 'PASSWORD_LINK_INVALID' });
    await expect(sendPasswordLink(deps, { userId: user.id, purpose: 'invite', by: null, publicUrl: 'https://e.example' })).rejects.toMatchObject({ code: 'USER_INACTIVE' });
  });

  it('a test send reaches the endpoint signed and shows in its delivery log', async () => {
    const endpoint = await createWebhookEndpoint(deps, { url: rx.url, allowPrivate: true });
    await expect(createWebhookEndpoint(deps, { url: rx.url })).rejects.toMatchObject({ code: 'WEBHOOK_ENDPOINT_EXISTS' });
    await expect(createWebhookEndpoint(deps, { url: 'ftp://example.com/x' })).rejects.toMatchObject({ code: 'WEBHOOK_URL_REFUSED' });
    await updateEndpoint(s.store.db, endpoint.id, { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, deps.clock.now());
    rx.hooks.length = 0;
    rx.respond = () => ({ status: 200 });
    const { outboxId } = await queueWebhookPing(deps, endpoint.id, cast.actors.admin.userId);
    let log = await webhookDeliveryLog(deps, endpoint.id);
    expect(log.items[0]).toMatchObject({ id: outboxId, event: 'ping', status: 'pending', attempts: 0 });
    await dispatcher().drain();
    expect(rx.hooks).toHaveLength(1);
    expect(rx.hooks[0]?.signatureOk).toBe(true);
    expect((rx.hooks[0]?.body.data as { event: string }).event).toBe('ping');
    log = await webhookDeliveryLog(deps, endpoint.id);
    expect(log.items[0]).toMatchObject({ id: outboxId, event: 'ping', status: 'sent', attempts: 1, lastStatusCode: 200, lastError: null });
    // A failing receiver: the log shows the attempt, its status and the error.
    rx.respond = () => ({ status: 503 });
    const failing = await queueWebhookPing(deps, endpoint.id, cast.actors.admin.userId);
    await dispatcher().drain();
    log = await webhookDeliveryLog(deps, endpoint.id);
    expect(log.items.find((i) => i.id === failing.outboxId)).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503 });
    expect(log.items.find((i) => i.id === failing.outboxId)?.lastError).toMatch(/HTTP 503/);
    await expect(queueWebhookPing(deps, 'missing-0000', cast.actors.admin.userId)).rejects.toMatchObject({ code: 'WEBHOOK_ENDPOINT_NOT_FOUND' });
  });

  it('a template preview renders against a real ticket, or names the broken line', async () => {
    const t = (await createTicket(deps, cast.actors.customerA, { subject: 'Printer on fire', body: 'help' })).ticket;
    const ok = await previewTemplate(deps, cast.actors.admin, { name: 'idle-reminder', ticketRef: t.key, draft: { subject: '[{{ ticket.key }}] {{ ticket.subject }}', text: 'Org: {{ organization.name }}', html: null }, publicUrl: 'https://e.example' });
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.rendered.subject).toBe(`[${t.key}] Printer on fire`);
      expect(ok.rendered.text).toContain('Acme');
    }
    const saved = await previewTemplate(deps, cast.actors.admin, { name: 'ticket-received-customer', ticketRef: t.key, publicUrl: 'https://e.example' });
    expect(saved).toMatchObject({ ok: true, audience: 'customer' });
    const bad = await previewTemplate(deps, cast.actors.admin, { name: 'idle-reminder', ticketRef: t.key, draft: { subject: 'x', text: 'line one\nline two {{ ticket.nope }}', html: null }, publicUrl: 'https://e.example' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]).toMatchObject({ part: 'text', line: 2 });
    await expect(previewTemplate(deps, cast.actors.admin, { name: 'idle-reminder', ticketRef: 'ESC-999999', publicUrl: 'https://e.example' })).rejects.toMatchObject({ code: 'TICKET_NOT_FOUND' });
  });

  it("a new mail sender from an organization's domain joins it; a web-form sender does not; a domain belongs to one organization", async () => {
    const org = await createOrganization(deps, { name: `Domain Co ${s.dialect}`, tier: 'premium', mailDomains: [`@Domain-${s.dialect}.Example`, ` domain-${s.dialect}.example`] });
    expect(org.mailDomains).toEqual([`domain-${s.dialect}.example`]);
    const fallback = (await createOrganization(deps, { name: `Fallback ${s.dialect}`, tier: 'standard' })).id;
    await expect(createOrganization(deps, { name: 'Thief', tier: 'standard', mailDomains: [`domain-${s.dialect}.example`] })).rejects.toMatchObject({ code: 'DOMAIN_TAKEN' });
    await expect(updateOrganization(deps, fallback, { mailDomains: ['*.bad'] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const mailIn = (channel: string, email: string) =>
      receiveMessage(deps, { channel, externalId: `${channel}-${email}`, senderEmail: email, senderName: 'N', subject: 'Hello', body: 'hi', raw: Buffer.from('x') }, { defaultOrganizationId: fallback });
    await mailIn('email', `pat@domain-${s.dialect}.example`);
    expect((await findUserByEmail(s.store.db, `pat@domain-${s.dialect}.example`))?.organizationId).toBe(org.id);
    await mailIn('web', `web@domain-${s.dialect}.example`);
    expect((await findUserByEmail(s.store.db, `web@domain-${s.dialect}.example`))?.organizationId).toBe(fallback);
    await mailIn('email', `someone@elsewhere-${s.dialect}.example`);
    expect((await findUserByEmail(s.store.db, `someone@elsewhere-${s.dialect}.example`))?.organizationId).toBe(fallback);
    // Moving the domain: remove it from one, then the other may take it.
    await updateOrganization(deps, org.id, { mailDomains: [] });
    expect((await updateOrganization(deps, fallback, { mailDomains: [`domain-${s.dialect}.example`] })).mailDomains).toEqual([`domain-${s.dialect}.example`]);
  });
});
