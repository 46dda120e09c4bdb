/**
 * The console and the portal in a real browser (Chromium via playwright-core) against the
 * real server on a demo database: an agent works a ticket to resolution; an escalation made
 * in the dialog reaches the next level and shows in that team's escalated queue; a customer
 * opens a ticket in the portal and sees the agent's public reply but never the internal
 * note; the policy editor shows problems at their lines (the dashboard: dashboard-charts.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { apiAs, browserUnavailable, signIn, browserSuite } from './browser.ts';

interface TicketOut {
  key: string;
  status: string;
  level: string | null;
  team: string | null;
  assignee_id: string | null;
}

describe.skipIf(browserUnavailable !== null)('web console (browser)', () => {
  const suite = browserSuite({ tickets: 30 });
  const browser = suite.browser;
  /** A fresh ticket from an Initech (enterprise) customer, unassigned at L1 · frontline. */
  const newTicket = async (subject: string): Promise<TicketOut> => {
    const customer = await apiAs(suite.server.url, 'kim@initech.example');
    return customer<TicketOut>('POST', '/tickets', { subject, body: `${subject}: the printer driver stops on page two.`, priority: 'high' });
  };


  it('an agent works a ticket to resolution', async () => {
    const t = await newTicket('Driver crash when exporting');
    const page = await signIn(await browser(), suite.server.url, 'ana@example.com');
    await page.goto(`${suite.server.url}/queues/team`);
    await page.getByLabel('Search').fill('Driver crash when exporting');
    const row = page.locator(`tr[data-ticket="${t.key}"]`);
    await row.waitFor();
    await expect(row.locator('.sla').textContent()).resolves.toMatch(/first response due in/);
    await row.getByRole('link', { name: t.key }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();

    await page.getByLabel('Assignee').selectOption({ label: 'Ana (you)' });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Ticket updated.').waitFor();

    await page.getByLabel('Reply or note').fill('Checked the driver logs: a known bug in 4.2.');
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.getByText('Internal note added.').waitFor();
    await page.getByLabel('Reply or note').fill('Please update the driver to 4.3; that fixes the crash.');
    await page.getByRole('button', { name: 'Send public reply' }).click();
    await page.getByText('Reply sent to the customer.').waitFor();
    // The first public reply opens the ticket and fulfils first_response.
    await page.locator('.timeline').getByText('SLA first response fulfilled in time').waitFor();
    // Beside the reply, one line says where it went (no mail server here: it waits, with why).
    await page.locator('.timeline .delivery').getByText(/kim@initech\.example queued/).waitFor();
    await page.getByLabel('Customer addresses that get every public reply').fill('pat@initech.example, not-an-address');
    await page.getByRole('button', { name: 'Save CCs' }).click();
    await page.getByRole('alert').getByText(/must be an email address/).waitFor();
    await page.getByLabel('Customer addresses that get every public reply').fill('pat@initech.example');
    await page.getByRole('button', { name: 'Save CCs' }).click();
    await page.locator('.timeline').getByText(/CCs set by .*: pat@initech\.example/).waitFor();

    await page.getByLabel('Status').selectOption('solved');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.timeline').getByText(/Status open → solved/).waitFor();
    await page.locator('.timeline').getByText('SLA resolution fulfilled in time').waitFor();
    await page.locator('.meta .badge.status-solved').waitFor();

    const agent = await apiAs(suite.server.url, 'ana@example.com');
    const after = await agent<TicketOut>('GET', `/tickets/${t.key}`);
    const me = await agent<{ id: string }>('GET', '/me');
    expect(after.status).toBe('solved');
    expect(after.assignee_id).toBe(me.id);
  });

  it('an escalation from the dialog reaches the next level and appears in that team\'s queue', async () => {
    const t = await newTicket('Scanner firmware rejects the update');
    // Sam works in specialists (L2): his escalated queue is open before the escalation happens.
    const sam = await signIn(await browser(), suite.server.url, 'sam@example.com');
    await sam.goto(`${suite.server.url}/queues/escalated`);
    await expect(sam.getByLabel('Team').inputValue()).resolves.toBe('specialists');
    await sam.getByText(/ticket\(s\) · refreshes every 5 s/).waitFor();
    expect(await sam.locator(`tr[data-ticket="${t.key}"]`).count()).toBe(0);

    const page = await signIn(await browser(), suite.server.url, 'ana@example.com');
    await page.goto(`${suite.server.url}/tickets/${t.key}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByRole('button', { name: 'Escalate…', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Escalate ${t.key}` });
    await dialog.waitFor();
    // The documentation is required: an empty submit does not close the dialog.
    await dialog.getByRole('button', { name: 'Escalate' }).click();
    await expect(dialog.isVisible()).resolves.toBe(true);
    await dialog.getByLabel('Reason category').selectOption('technical_complexity');
    await dialog.getByLabel('Summary').fill('Firmware 2.1 refuses the signed update package.');
    await dialog.getByLabel('Steps already taken').fill('Re-downloaded the package, verified the checksum, tried two scanners.');
    await dialog.getByLabel('Needs specialised attention').fill('Signature verification in the updater.');
    await dialog.getByRole('button', { name: 'Escalate' }).click();
    await page.getByText('Escalated.', { exact: true }).waitFor();
    await page.locator('.meta .badge.level', { hasText: 'L2 · specialists' }).waitFor();
    await page.locator('.timeline').getByText(/Escalated L1 → L2 · specialists \(technical complexity\)/).waitFor();
    await page.locator('.handoff').getByText('Signature verification in the updater.').waitFor();

    // It appears in Sam's queue without a reload (the queue polls), flagged unacknowledged.
    const row = sam.locator(`tr[data-ticket="${t.key}"]`);
    await row.waitFor();
    await row.locator('.badge.ack').waitFor();
    await row.getByRole('link', { name: t.key }).click();
    await sam.getByRole('button', { name: 'Acknowledge' }).click();
    await sam.getByText('Escalation acknowledged.').waitFor();
    await sam.locator('.timeline').getByText(/Escalation acknowledged by Sam/).waitFor();

    const agent = await apiAs(suite.server.url, 'sam@example.com');
    const after = await agent<TicketOut>('GET', `/tickets/${t.key}`);
    expect([after.level, after.team]).toEqual(['L2', 'specialists']);
  });

  it('a customer opens a ticket in the portal and sees the public reply, never the internal note', async () => {
    const page = await signIn(await browser(), suite.server.url, 'alex@initech.example');
    await page.getByRole('link', { name: 'New request' }).first().click();
    await page.getByLabel('Subject').fill('Label printer prints blank pages');
    await page.getByLabel('Describe the problem').fill('Since this morning every label comes out blank.');
    await page.getByLabel('How urgent is it?').selectOption('high');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/portal\/tickets\/ESC-\d+$/);
    const key = decodeURIComponent(page.url().split('/').pop() ?? '');
    await page.getByText('Since this morning every label comes out blank.').waitFor();

    const agent = await apiAs(suite.server.url, 'ben@example.com');
    await agent('POST', `/tickets/${key}/comments`, { body: 'INTERNAL-NOTE-MARKER: printer firmware is the suspect.', public: false });
    await agent('POST', `/tickets/${key}/comments`, { body: 'PUBLIC-REPLY-MARKER: please power-cycle the printer.', public: true });

    // The page polls: the reply arrives without a reload.
    await page.getByText('PUBLIC-REPLY-MARKER: please power-cycle the printer.').waitFor();
    await page.getByText('Status: open').waitFor();
    expect(await page.content()).not.toContain('INTERNAL-NOTE-MARKER');

    await page.getByLabel('Your reply').fill('Done, still blank.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Your reply was sent.').waitFor();
    await page.getByRole('button', { name: 'Request escalation' }).click();
    await page.getByLabel('Why should this be escalated?').fill('We ship 500 parcels a day and cannot print labels.');
    await page.getByRole('button', { name: 'Request escalation' }).click();
    await page.getByText(/Your request was passed on to/).waitFor();
    await page.reload();
    await page.getByText('Done, still blank.').waitFor();
    expect(await page.content()).not.toContain('INTERNAL-NOTE-MARKER');

    const staff = await apiAs(suite.server.url, 'ben@example.com');
    const events = await staff<{ items: Array<{ type: string; payload: Record<string, unknown> }> }>('GET', `/tickets/${key}/events`);
    expect(events.items.some((e) => e.type === 'ticket.escalated' && e.payload.reason === 'customer_request')).toBe(true);

    // Solved: the customer rates the resolution in the portal.
    await staff('PATCH', `/tickets/${key}`, { status: 'solved' });
    await page.getByRole('heading', { name: 'How did we do?' }).waitFor();
    await page.getByLabel('4', { exact: true }).check();
    await page.getByLabel('Anything you want to tell us (optional)').fill('Quick once escalated.');
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText(`Thank you for rating ${key}.`).waitFor();
    const after = await staff<{ items: Array<{ type: string; payload: Record<string, unknown> }> }>('GET', `/tickets/${key}/events`);
    expect(after.items.filter((e) => e.type === 'csat.received').map((e) => e.payload.rating)).toEqual([4]);
  });

  it('signs in by keyboard alone, and works on a phone-sized screen', async () => {
    const b = await browser();
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${suite.server.url}/queues/escalated`);
    await page.getByLabel('Email').waitFor();
    await page.keyboard.type('lina@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('escalon-demo');
    await page.keyboard.press('Enter');
    // Back where she was going, with the navigation folded behind the menu button.
    await page.getByRole('heading', { name: 'Escalated' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: 'Escalation matrix' }).click();
    await page.getByRole('heading', { name: 'Escalation matrix' }).waitFor();
    expect(await page.locator('svg.matrix [data-team="engineering"]').count()).toBe(1);
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('the policy editor lists every problem at its line and applies nothing', async () => {
    const page = await signIn(await browser(), suite.server.url, 'admin@example.com');
    await page.goto(`${suite.server.url}/policy`);
    const area = page.getByLabel('Policy document (YAML)');
    const text = await area.inputValue();
    expect(text).toContain('levels:');
    const broken = text.replace('calendar: always\n    pause_on', 'calendar: nowhere\n    pause_on');
    const line = broken.split('\n').findIndex((l) => l.includes('calendar: nowhere')) + 1;
    await area.fill(broken);
    await page.getByRole('button', { name: 'Validate and plan' }).click();
    const problem = page.locator('.problems li', { hasText: 'nowhere' });
    await problem.waitFor();
    await expect(problem.getByRole('button').textContent()).resolves.toBe(`line ${line}`);
    await expect(page.locator('.gutter .bad').first().textContent()).resolves.toBe(String(line));
    expect(await page.getByRole('button', { name: /Apply version/ }).isDisabled()).toBe(true);
    await area.fill(text);
    await page.getByRole('button', { name: 'Validate and plan' }).click();
    await page.getByText(/Valid\. Applying makes version 2/).waitFor();
  });
});
