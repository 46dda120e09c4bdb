/**
 * The administration area in a real browser against the real server, with the notifier
 * running beside it (mail captured by a recording channel, webhooks delivered for real to a
 * local receiver that checks the signature): an admin creates an organization, invites a
 * user who sets a password and signs in, rotates a webhook secret and sees a test delivery in
 * the endpoint's log; deactivating the user ends their session at once (the console shows
 * the sign-in page without a reload). Also: an unknown console path gets the console's own
 * not-found page, a template preview against a real ticket, and the intake settings.
 * Screenshots of each screen go to ESCALON_SCREENSHOT_DIR (default: the temp directory).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/deps.ts';
import type { Channel, OutgoingMessage } from '../../src/notify/channels/channel.ts';
import { createWebhookChannel } from '../../src/notify/channels/webhook.ts';
import { startDispatcher } from '../../src/notify/start-dispatcher.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/support/webhook-receiver.ts';
import { browserSuite, browserUnavailable, signIn, type Browser } from './browser.ts';

const shots = process.env.ESCALON_SCREENSHOT_DIR ?? tmpdir();
const NEW_PASSWORD = 'a fresh and long passphrase 31';

/** Waits (bounded by the test's own timeout) until `probe` gives a value. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A section tab of the admin area. */
const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name, exact: true });

const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `admin-${name}.png`), fullPage: true });

if (!browserUnavailable) {
  describe('administration (browser)', () => {
    const suite = browserSuite({ tickets: 6 });
    const mails: OutgoingMessage[] = [];
    const mail: Channel = { name: 'email', deliver: async (m) => (mails.push(m), { kind: 'sent' }) };
    let rx: WebhookReceiver;
    let stopNotifier: (() => Promise<void>) | undefined;
    let browser: Browser;

    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      rx = await startWebhookReceiver('whsec_placeholderplaceholder00');
      rx.respond = () => ({ status: 200 });
      // The notifier of `escalon serve`, over the suite server's store.
      const running = startDispatcher({
        store: suite.server.store,
        clock: systemClock,
        channels: { email: mail, webhook: createWebhookChannel(suite.server.store.db, { timeoutMs: 3000, allowPrivate: false, disableAfter: 100 }) },
        links: { publicUrl: suite.server.url },
        options: { pollMs: 200 },
      });
      stopNotifier = running.stop;
      browser = await suite.browser();
    });
    afterAll(async () => {
      await stopNotifier?.();
      await rx?.close();
    });

    it('an admin creates an organization, invites a user who sets a password and signs in, rotates a webhook secret and sees a delivery; deactivating the user ends their session at once', async () => {
      const base = suite.server.url;
      const admin = await signIn(browser, base, 'admin@example.com');
      await admin.getByRole('link', { name: 'Admin', exact: true }).click();
      await admin.getByRole('heading', { name: 'Administration' }).waitFor();
      await shot(admin, 'home');

      // Organization
      await tab(admin, 'Organizations').click();
      const orgForm = admin.getByRole('form', { name: 'New organization' });
      await orgForm.getByLabel('Organization name').fill('Vandelay Industries');
      await orgForm.getByLabel('Tier').fill('enterprise');
      await orgForm.getByLabel('Contract value').fill('120000');
      await orgForm.getByLabel('Account manager').fill('Bill Lumbergh');
      await orgForm.getByLabel(/Mail domains/).fill('vandelay.example');
      await orgForm.getByRole('button', { name: 'Create organization' }).click();
      // A second claim of the domain is refused, with the server's code in the form's alert.
      await admin.getByRole('status').filter({ hasText: 'Organization Vandelay Industries created.' }).waitFor();
      await orgForm.getByLabel('Organization name').fill('Copycat');
      await orgForm.getByLabel(/Mail domains/).fill('vandelay.example');
      await orgForm.getByRole('button', { name: 'Create organization' }).click();
      await expect(admin.getByRole('alert').filter({ hasText: 'DOMAIN_TAKEN' }).textContent()).resolves.toContain('already belongs to another organization');
      await expect(admin.getByRole('table', { name: 'Organizations' }).getByRole('row', { name: /Vandelay Industries/ }).textContent()).resolves.toContain('vandelay.example');
      await shot(admin, 'organizations');

      // Invitation
      await tab(admin, 'Users').click();
      const userForm = admin.getByRole('form', { name: 'New user' });
      await userForm.getByLabel('Email', { exact: true }).fill('nina@example.com');
      await userForm.getByLabel('Name', { exact: true }).fill('Nina New');
      await userForm.getByLabel('Role', { exact: true }).selectOption('agent');
      await userForm.getByLabel('Time zone').fill('Europe/Berlin');
      await userForm.getByRole('button', { name: 'Create and invite' }).click();
      await admin.getByRole('status').filter({ hasText: 'Invitation sent to nina@example.com' }).waitFor();
      await shot(admin, 'users');
      // The list shows staff by default; customers and a search narrow it.
      await admin.getByLabel('Show').selectOption('customers');
      expect(await admin.locator('tr[data-email="nina@example.com"]').count()).toBe(0);
      expect(await admin.locator('table[aria-label="Users"] tbody tr').count()).toBeGreaterThan(0);
      await admin.getByLabel('Show').selectOption('all');
      await admin.getByLabel('Search').fill('NINA');
      expect(await admin.locator('table[aria-label="Users"] tbody tr').count()).toBe(1);
      await admin.getByLabel('Search').fill('');
      await admin.getByLabel('Show').selectOption('staff');
      // The same address again: the server's refusal, in the form's alert.
      await userForm.getByLabel('Email', { exact: true }).fill('nina@example.com');
      await userForm.getByLabel('Name', { exact: true }).fill('Nina Again');
      await userForm.getByRole('button', { name: 'Create and invite' }).click();
      await expect(admin.getByRole('alert').filter({ hasText: 'EMAIL_TAKEN' }).textContent()).resolves.toContain('already exists');

      const invitation = await until(() => mails.find((m) => m.to === 'nina@example.com'));
      expect(invitation.subject).toBe('Your Escalon account');
      const link = /(http:\/\/\S+\/set-password\?token=[A-Za-z0-9_-]+)/.exec(invitation.text)?.[1];
      expect(link).toBeTruthy();

      // Nina sets her password through the link and signs in (her own cookie jar).
      const ninaBrowser = await suite.browser();
      const nina = await ninaBrowser.context.newPage();
      await nina.goto(link as string);
      await nina.getByRole('heading', { name: 'Choose your password' }).waitFor();
      await nina.getByLabel('New password', { exact: true }).fill('short');
      await nina.getByLabel('New password again').fill('short');
      await nina.getByRole('button', { name: 'Set password' }).click();
      await expect(nina.getByRole('alert').textContent()).resolves.toContain('WEAK_PASSWORD');
      await shot(nina, 'set-password-refused');
      await nina.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await nina.getByLabel('New password again').fill(NEW_PASSWORD);
      await nina.getByRole('button', { name: 'Set password' }).click();
      await nina.getByRole('status').filter({ hasText: 'Your password is set for nina@example.com' }).waitFor();
      await shot(nina, 'set-password');
      await nina.getByRole('link', { name: 'Sign in' }).click();
      await nina.getByLabel('Email').fill('nina@example.com');
      await nina.getByLabel('Password').fill(NEW_PASSWORD);
      await nina.getByRole('button', { name: 'Sign in' }).click();
      await nina.getByRole('button', { name: 'Sign out' }).waitFor();
      await expect(nina.locator('.who').textContent()).resolves.toContain('Nina New');

      // Webhook: add the local receiver, rotate its secret (shown once), send a test event, see it in the log.
      await tab(admin, 'Webhooks').click();
      const hookForm = admin.getByRole('form', { name: 'New webhook endpoint' });
      await hookForm.getByLabel('Endpoint URL').fill(rx.url);
      await hookForm.getByLabel(/Allow private addresses/).check();
      await hookForm.getByRole('button', { name: 'Add endpoint' }).click();
      const card = admin.getByRole('article', { name: `Webhook ${rx.url}` });
      await card.waitFor();
      const first = (await card.getByLabel('Signing secret').textContent())?.trim();
      await card.getByRole('button', { name: 'Rotate secret' }).click();
      await admin.getByRole('status').filter({ hasText: 'Secret rotated' }).waitFor();
      const rotated = await until(async () => {
        const s = (await card.getByLabel('Signing secret').textContent())?.trim();
        return s && s !== first ? s : undefined;
      });
      expect(rotated).toMatch(/^whsec_/);
      rx.secret = rotated;
      await card.getByRole('button', { name: 'Send test event' }).click();
      const log = card.getByRole('table', { name: 'Delivery log' });
      await log.getByRole('row', { name: /ping.*sent.*HTTP 200/ }).waitFor();
      expect(rx.hooks).toHaveLength(1);
      expect(rx.hooks[0]?.signatureOk).toBe(true);
      expect((rx.hooks[0]?.body.data as { event: string }).event).toBe('ping');
      await shot(admin, 'webhooks');

      // Deactivate Nina: her console drops to the sign-in page without any action of hers.
      await tab(admin, 'Users').click();
      const row = admin.locator('tr[data-email="nina@example.com"]');
      await row.getByRole('button', { name: 'Deactivate' }).click();
      await admin.getByRole('status').filter({ hasText: 'Nina New deactivated' }).waitFor();
      await expect(row.textContent()).resolves.toContain('deactivated');
      await nina.getByRole('button', { name: 'Sign in' }).waitFor();
      const me = await nina.evaluate(async () => (await fetch('/api/v1/me')).status);
      expect(me).toBe(401);
      await shot(nina, 'deactivated-signed-out');
    });

    it('templates preview against a real ticket and show problems with their line; intake settings are shown read-only; an unknown path gets the not-found page', async () => {
      const base = suite.server.url;
      const admin = await signIn(await suite.browser(), base, 'admin@example.com');
      await admin.goto(`${base}/admin/templates`);
      await admin.getByRole('button', { name: 'idle-reminder', exact: true }).click();
      const editor = admin.getByRole('region', { name: 'Template idle-reminder' });
      await editor.getByLabel('Subject', { exact: true }).waitFor();
      await editor.getByLabel('Text', { exact: true }).fill('Hello,\n{{ ticket.key }} is about {{ ticket.subject }}\n{{ ticket.no_such_field }}');
      await editor.getByLabel('Preview with ticket').fill('ESC-1');
      await editor.getByRole('button', { name: 'Preview' }).click();
      await expect(editor.getByRole('alert').textContent()).resolves.toContain('line 3');
      await editor.getByLabel('Text', { exact: true }).fill('Hello,\n{{ ticket.key }} is about {{ ticket.subject }}');
      await editor.getByRole('button', { name: 'Preview' }).click();
      const preview = editor.getByRole('region', { name: 'Preview' });
      await expect(preview.textContent()).resolves.toContain('ESC-1 is about');
      await shot(admin, 'templates');

      await tab(admin, 'Intake').click();
      await admin.getByRole('heading', { name: 'Web form' }).waitFor();
      await expect(admin.locator('main').textContent()).resolves.toContain('Web requests');
      await shot(admin, 'intake');

      await tab(admin, 'API tokens').click();
      const tokenForm = admin.getByRole('form', { name: 'New API token' });
      await tokenForm.getByLabel('For user').selectOption({ label: 'Ana (ana@example.com)' });
      await tokenForm.getByLabel('Token name').fill('reporting script');
      await tokenForm.getByRole('button', { name: 'Create token' }).click();
      await expect(admin.getByLabel('New token secret').textContent()).resolves.toMatch(/^esc_/);
      await admin.getByRole('table', { name: 'API tokens' }).getByRole('row', { name: /reporting script/ }).getByRole('button', { name: 'Revoke' }).click();
      await admin.getByRole('status').filter({ hasText: 'Token reporting script revoked.' }).waitFor();
      await shot(admin, 'tokens');

      const res = await admin.goto(`${base}/no-such-page`);
      expect(res?.status()).toBe(404);
      await admin.getByRole('heading', { name: 'Page not found' }).waitFor();
      await shot(admin, 'not-found');
      // An unknown API path keeps the API's JSON answer.
      const api = await admin.evaluate(async () => {
        const r = await fetch('/api/v1/no-such-route');
        return { status: r.status, body: (await r.json()) as { error: { code: string } } };
      });
      expect(api).toEqual({ status: 404, body: expect.objectContaining({ error: expect.objectContaining({ code: 'ROUTE_NOT_FOUND' }) }) });
    });

    it('a manager sees only organizations in the admin area', async () => {
      const base = suite.server.url;
      const other = await suite.browser();
      const manager = await signIn(other, base, 'marc@example.com');
      await manager.goto(`${base}/admin`);
      await manager.getByRole('heading', { name: 'Administration' }).waitFor();
      const tabs = await manager.getByRole('navigation', { name: 'Administration' }).getByRole('link').allTextContents();
      expect(tabs).toEqual(['Organizations']);
    });
  });
}
