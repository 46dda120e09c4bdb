/**
 * Playbooks in a real browser on the demo (reference policy): a ticket escalated for legal
 * reasons shows its checklist; solving it with a required item open is refused with the item
 * named; ticking the items allows it. A macro fills the reply with the customer's name.
 * Screenshots go to ESCALON_SCREENSHOT_DIR (default: the system's temp directory).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiAs, browserSuite, signIn } from './browser.ts';

interface TicketOut {
  key: string;
  status: string;
  tags: string[];
}
const shots = process.env.ESCALON_SCREENSHOT_DIR ?? tmpdir();
const documentation = { summary: 'Customer received a GDPR erasure demand letter', steps_taken: 'Read the letter, checked the account', needs_attention: 'Statutory deadline' };

describe('playbooks (browser)', () => {
  const suite = browserSuite({ tickets: 10 });

  it('a legal escalation shows its checklist; solving with a required item open is refused naming it; ticking allows it', async () => {
    const customer = await apiAs(suite.server.url, 'kim@initech.example');
    const ana = await apiAs(suite.server.url, 'ana@example.com');
    const t = await customer<TicketOut>('POST', '/tickets', { subject: 'Erasure request for our former employee', body: 'Please delete all data about our former employee.' });
    await ana('POST', `/tickets/${t.key}/escalate`, { reason: 'legal_compliance', documentation });

    const page = await signIn(await suite.browser(), suite.server.url, 'sam@example.com');
    await page.goto(`${suite.server.url}/tickets/${t.key}`);
    const panel = page.getByRole('region', { name: 'Checklist: Legal & compliance' });
    await panel.getByText('Loop in legal counsel').waitFor();
    await panel.getByText('3 required items open').waitFor();
    expect(await panel.locator('.badge.required').count()).toBe(3);
    await page.screenshot({ path: join(shots, 'playbooks-checklist.png'), fullPage: true });

    // Tick two of the three required items; solving names the one left.
    await panel.getByLabel(/Loop in legal counsel/).check();
    await panel.getByText('2 required items open').waitFor();
    await panel.getByLabel(/Preserve the records/).check();
    await panel.getByText('1 required item open').waitFor();
    await panel.getByText(/✓ Sam/).first().waitFor();

    await page.getByLabel('Status').selectOption('solved');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'cannot be solved or closed' });
    await alert.waitFor();
    const message = (await alert.textContent()) ?? '';
    expect(message).toContain('Note any statutory deadline');
    expect(message).not.toContain('Loop in legal counsel');
    await page.screenshot({ path: join(shots, 'playbooks-solve-refused.png'), fullPage: true });
    expect((await ana<TicketOut>('GET', `/tickets/${t.key}`)).status).not.toBe('solved');

    await panel.getByLabel(/Note any statutory deadline/).check();
    await panel.getByText('all required items done').waitFor();
    await page.getByLabel('Status').selectOption('solved');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Ticket updated.' }).waitFor();
    expect((await ana<TicketOut>('GET', `/tickets/${t.key}`)).status).toBe('solved');
    await page.locator('.timeline').getByText(/ticked “Note any statutory deadline/).waitFor();
    await page.screenshot({ path: join(shots, 'playbooks-solved.png'), fullPage: true });
  });

  it('a macro previews for the ticket and fills the reply with the customer\'s name; sending applies its status and tags', async () => {
    const customer = await apiAs(suite.server.url, 'kim@initech.example');
    const t = await customer<TicketOut>('POST', '/tickets', { subject: 'Sync stops at night', body: 'The nightly sync stops halfway.' });
    const page = await signIn(await suite.browser(), suite.server.url, 'ana@example.com');
    await page.goto(`${suite.server.url}/tickets/${t.key}`);
    await page.getByLabel('Macro').selectOption({ label: 'Ask for logs (public)' });
    const preview = page.getByLabel('Macro preview');
    await preview.getByText(/Hi Kim,/).waitFor();
    await preview.getByText(/on send: status → pending · tags \+ waiting-logs/).waitFor();
    await page.screenshot({ path: join(shots, 'playbooks-macro-preview.png'), fullPage: true });
    await preview.getByRole('button', { name: 'Use this reply' }).click();
    const reply = page.getByLabel('Reply or note');
    await expect(reply.inputValue()).resolves.toMatch(/^Hi Kim,\n\nTo find the cause we need the logs/);
    await expect(reply.inputValue()).resolves.toContain('Ana');
    await page.screenshot({ path: join(shots, 'playbooks-macro-filled.png'), fullPage: true });
    await page.getByRole('button', { name: 'Send public reply' }).click();
    await page.getByRole('status').filter({ hasText: 'Reply sent to the customer.' }).waitFor();
    const after = await customer<TicketOut>('GET', `/tickets/${t.key}`);
    expect(after.status).toBe('pending');
    const ana = await apiAs(suite.server.url, 'ana@example.com');
    expect((await ana<TicketOut>('GET', `/tickets/${t.key}`)).tags).toContain('waiting-logs');
  });
});
