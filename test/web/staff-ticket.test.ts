/**
 * Staff open tickets for customers in the console (/tickets/new), in a real browser; and the
 * demo's queues and dashboard right after a start. Screenshots land in $ESCALON_SHOTS (default
 * $TMPDIR/escalon-screenshots/).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, browserUnavailable, browserSuite, signIn } from './browser.ts';

const SHOTS = process.env.ESCALON_SHOTS ?? join(tmpdir(), 'escalon-screenshots');

interface TicketJson {
  key: string;
  subject: string;
  channel: string;
  priority: string;
  requester_id: string;
  organization_id: string;
  tags: string[];
}

describe('tickets created by staff (browser)', () => {
  if (browserUnavailable !== null) return;
  const suite = browserSuite({ tickets: 60 });
  const browser = suite.browser;

  beforeAll(() => {
    mkdirSync(SHOTS, { recursive: true });
  });

  it('An agent creates a phone ticket for a new customer', async () => {
    const page = await signIn(await browser(), suite.server.url, 'ana@example.com');
    await page.getByRole('link', { name: 'New ticket' }).click();
    await page.waitForURL(/\/tickets\/new$/);
    await page.getByRole('heading', { name: 'New ticket' }).waitFor();

    // Typing part of an address suggests the existing customers.
    await page.getByLabel('Customer email', { exact: true }).fill('initech');
    await page.getByRole('list', { name: 'Existing customers' }).getByRole('button', { name: /kim@initech\.example/ }).waitFor();

    await page.getByLabel('Customer email', { exact: true }).fill('maria.lopez@initech.example');
    await page.getByLabel('Customer name', { exact: true }).fill('Maria Lopez');
    await expect(page.getByTestId('requester-organization').textContent()).resolves.toContain('New customer; joins Initech');
    await page.getByLabel('Channel').selectOption('phone');
    await page.getByLabel('Priority').selectOption('high');
    await page.getByLabel('Subject').fill('Badge printer offline at the front desk');
    await page.getByLabel('What the customer reported').fill('Maria called: the badge printer at reception shows "offline" since 8:00. Visitors are waiting.');
    await page.getByLabel('Tags').fill('hardware, reception');
    await page.screenshot({ path: `${SHOTS}/staff-new-ticket.png`, fullPage: true });
    await page.getByRole('button', { name: 'Create ticket' }).click();

    await page.waitForURL(/\/tickets\/ESC-\d+$/);
    await page.getByRole('heading', { name: /Badge printer offline at the front desk/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/staff-new-ticket-created.png`, fullPage: true });

    const key = page.url().split('/').pop() ?? '';
    const agent = await apiAs(suite.server.url, 'ana@example.com');
    const t = await agent<TicketJson>('GET', `/tickets/${key}`);
    const people = await agent<{ items: Array<{ id: string; email: string; name: string; role: string; organization_id: string | null }> }>('GET', '/directory');
    const maria = people.items.find((u) => u.email === 'maria.lopez@initech.example');
    const kim = people.items.find((u) => u.email === 'kim@initech.example');
    expect(maria).toMatchObject({ name: 'Maria Lopez', role: 'customer', organization_id: kim?.organization_id });
    expect(t).toMatchObject({ channel: 'phone', priority: 'high', requester_id: maria?.id, organization_id: kim?.organization_id, tags: ['hardware', 'reception'] });
  });

  it('an existing customer is recognised, and a staff address is refused before sending', async () => {
    const page = await signIn(await browser(), suite.server.url, 'ben@example.com');
    await page.goto(`${suite.server.url}/tickets/new`);
    await page.getByLabel('Customer email', { exact: true }).fill('alex@northwind.example');
    await expect(page.getByTestId('requester-organization').textContent()).resolves.toContain('Existing customer of Northwind Traders');
    await page.getByLabel('Customer email', { exact: true }).fill('chen@example.com');
    await expect(page.getByTestId('requester-organization').textContent()).resolves.toContain('is a staff account');
    await expect(page.getByRole('button', { name: 'Create ticket' }).isDisabled()).resolves.toBe(true);
  });

  it('the demo right after a start: queues with countdowns, the dashboard', async () => {
    const page = await signIn(await browser(), suite.server.url, 'lina@example.com');
    await page.goto(`${suite.server.url}/queues/team`);
    // The SLA column fills in after the rows: wait for a running countdown.
    await page.locator('table tbody').getByText(/due in/).first().waitFor();
    await page.screenshot({ path: `${SHOTS}/demo-queues-team.png`, fullPage: true });
    await page.goto(`${suite.server.url}/queues/escalated`);
    await page.locator('table tbody tr').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/demo-queues-escalated.png`, fullPage: true });
    const manager = await signIn(await browser(), suite.server.url, 'marc@example.com');
    await manager.goto(`${suite.server.url}/dashboard`);
    await manager.getByRole('heading', { name: /Dashboard/ }).first().waitFor();
    await manager.waitForLoadState('networkidle');
    await manager.screenshot({ path: `${SHOTS}/demo-dashboard.png`, fullPage: true });
  });
});
