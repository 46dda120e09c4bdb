/**
 * What the customer sees to expect, in a real browser: the portal shows the expected
 * resolution time of a request (the text the API computes from its SLA clocks), and the
 * public /support-hours page renders the policy's hours, holidays and targets per tier.
 * Screenshots land in $TMPDIR/escalon-screenshots/ (copies in docs/screenshots/).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, browserUnavailable, signIn, browserSuite } from './browser.ts';

const SHOTS = join(tmpdir(), 'escalon-screenshots');

describe.skipIf(browserUnavailable !== null)('what to expect (browser)', () => {
  const suite = browserSuite({ tickets: 10 });
  const browser = suite.browser;

  beforeAll(() => {
    mkdirSync(SHOTS, { recursive: true });
  });

  it('the portal shows the expected resolution time of a request', async () => {
    const customer = await apiAs(suite.server.url, 'alex@northwind.example');
    const created = await customer<{ key: string }>('POST', '/tickets', { subject: 'Invoices do not open', body: 'The PDF viewer shows an empty page.', priority: 'normal' });
    const t = await customer<{ expectations: { text: string | null; resolution_due: string | null } }>('GET', `/tickets/${created.key}`);
    expect(t.expectations.resolution_due).not.toBeNull();
    expect(t.expectations.text).toMatch(/We expect to resolve your request by .+ (EST|EDT)\./);

    const page = await signIn(await browser(), suite.server.url, 'alex@northwind.example');
    await page.goto(`${suite.server.url}/portal/tickets/${created.key}`);
    const note = page.getByRole('note', { name: 'What to expect' });
    await note.waitFor();
    await expect(note.textContent()).resolves.toContain(t.expectations.text ?? '');
    await page.screenshot({ path: `${SHOTS}/portal-expectations.png`, fullPage: true });

    // The portal's home links the public page.
    await page.goto(`${suite.server.url}/portal`);
    await page.getByRole('link', { name: 'Support hours and response targets' }).click();
    await page.waitForURL(/\/support-hours$/);
    await page.getByRole('heading', { name: 'Support hours and response targets' }).waitFor();
  });

  it('/support-hours renders for anyone: hours per weekday, holidays, targets per tier', async () => {
    const page = await (await browser()).context.newPage();
    await page.goto(`${suite.server.url}/support-hours`);
    await page.getByRole('heading', { name: 'Support hours and response targets' }).waitFor();
    const us = page.locator('[data-calendar="us-business"]');
    await expect(us.textContent()).resolves.toContain('America/New_York');
    await expect(us.getByRole('row', { name: /Monday/ }).textContent()).resolves.toContain('09:00–12:00, 13:00–17:00');
    await expect(us.getByRole('row', { name: /Saturday/ }).textContent()).resolves.toContain('closed');
    const enterprise = page.locator('[data-tier="enterprise"]');
    await expect(enterprise.getByRole('heading').textContent()).resolves.toContain('Enterprise customers');
    await expect(enterprise.getByRole('row', { name: /Urgent/ }).textContent()).resolves.toContain('15 minutes');
    await expect(page.locator('[data-tier="standard"]').getByRole('row', { name: /Low/ }).textContent()).resolves.toContain('40 business hours');
    await page.screenshot({ path: `${SHOTS}/support-hours.png`, fullPage: true });
    // The contact form links it too.
    await page.goto(`${suite.server.url}/contact`);
    await expect(page.getByRole('link', { name: 'support hours and response targets' }).getAttribute('href')).resolves.toBe('/support-hours');
  });

  it('the contact form: a new sender gets a ticket at once; a known customer\'s address is asked to confirm by mail', async () => {
    const page = await (await browser()).context.newPage();
    const send = async (email: string) => {
      await page.goto(`${suite.server.url}/contact`);
      await page.getByLabel('Your name').fill('Pat Public');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Subject').fill('Please cancel our contract');
      await page.getByLabel('How can we help?').fill('We want to cancel our contract.');
      await page.getByRole('button', { name: 'Send' }).click();
      return page.getByRole('status').textContent();
    };
    await expect(send('pat@public.example')).resolves.toMatch(/^Thank you: your request is ESC-\d+\. We answer by email\.$/);
    await expect(send('kim@initech.example')).resolves.toBe('We sent a confirmation link to kim@initech.example. Your request is opened as soon as you follow it (within 24 hours).');
    await page.screenshot({ path: `${SHOTS}/contact-held.png` });
    const forged = await suite.server.store.db.selectFrom('tickets').innerJoin('organizations as o', 'o.id', 'tickets.organization_id').select(['o.name']).where('subject', '=', 'Please cancel our contract').execute();
    expect(forged).toEqual([{ name: 'Web requests' }]);
  });
});
