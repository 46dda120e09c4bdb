/**
 * Escalation flows in a real browser on the demo: a lead of two teams (Lina leads frontline and
 * specialists) sees both teams' escalations by default and what waits for her acknowledgement
 * first; the agent who escalated is not offered the Acknowledge button; a customer's reason
 * for escalation reaches the receiving agent's timeline, and the portal says where the ticket
 * went; the staff ticket view shows the requester and the customer's cues.
 */
import { describe, expect, it } from 'vitest';
import { apiAs, browserUnavailable, signIn, browserSuite } from './browser.ts';

interface TicketOut {
  key: string;
  level: string | null;
  team: string | null;
}
const documentation = { summary: 'Scanner rejects firmware', steps_taken: 'Re-downloaded, verified checksum', needs_attention: 'Signature check' };

describe.skipIf(browserUnavailable !== null)('escalation flows (browser)', () => {
  const suite = browserSuite({ tickets: 10 });
  const browser = suite.browser;


  it('a lead of two teams sees both teams\' escalations, and what waits for her acknowledgement comes first', async () => {
    const customer = await apiAs(suite.server.url, 'kim@initech.example');
    const ana = await apiAs(suite.server.url, 'ana@example.com');
    const up = await customer<TicketOut>('POST', '/tickets', { subject: 'Scanner update refused', body: 'The scanner refuses the update.', priority: 'high' });
    await ana('POST', `/tickets/${up.key}/escalate`, { reason: 'technical_complexity', documentation, require_acknowledgement: true });
    // Escalated, then handed back: an escalated ticket in frontline, Lina's other team.
    const back = await customer<TicketOut>('POST', '/tickets', { subject: 'Badge printer offline', body: 'The badge printer is offline.', priority: 'high' });
    await ana('POST', `/tickets/${back.key}/escalate`, { reason: 'technical_complexity', documentation });
    // The reference policy's technical checklist: its required items before handing back.
    for (const item of ['reproduce', 'logs', 'workaround']) await ana('PUT', `/tickets/${back.key}/checklists/technical_complexity/items/${item}`, { done: true });
    const down = await ana<{ ticket: TicketOut }>('POST', `/tickets/${back.key}/de-escalate`, { reason: 'workaround given' });
    expect([down.ticket.team, (await ana<TicketOut>('GET', `/tickets/${up.key}`)).team]).toEqual(['frontline', 'specialists']);

    const lina = await signIn(await browser(), suite.server.url, 'lina@example.com');
    await lina.goto(`${suite.server.url}/queues/escalated`);
    await expect(lina.getByLabel('Team').inputValue()).resolves.toBe('frontline,specialists');
    await lina.locator(`tr[data-ticket="${up.key}"]`).waitFor();
    await lina.locator(`tr[data-ticket="${back.key}"]`).waitFor();

    const tabs = lina.getByRole('navigation', { name: 'Queues' }).getByRole('link');
    await expect(tabs.first().textContent()).resolves.toMatch(/^Waiting for my acknowledgement/);
    await tabs.first().click();
    await lina.locator(`tr[data-ticket="${up.key}"]`).waitFor();
    expect(await lina.locator(`tr[data-ticket="${back.key}"]`).count()).toBe(0);

    // Ana made the escalation: she is told who acknowledges, and offered no button.
    const anaPage = await signIn(await browser(), suite.server.url, 'ana@example.com');
    await anaPage.goto(`${suite.server.url}/tickets/${up.key}`);
    await anaPage.locator('.ack-refusal').getByText(/you made this escalation/).waitFor();
    expect(await anaPage.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

    await lina.locator(`tr[data-ticket="${up.key}"]`).getByRole('link', { name: up.key }).click();
    await lina.getByRole('button', { name: 'Acknowledge' }).click();
    await lina.getByText('Escalation acknowledged.').waitFor();
  });

  it('the customer\'s reason reaches the agent\'s timeline; the portal says where the ticket went; staff see the requester and the cues', async () => {
    const page = await signIn(await browser(), suite.server.url, 'alex@northwind.example');
    await page.getByRole('link', { name: 'New request' }).first().click();
    await page.getByLabel('Subject').fill('Labels print blank');
    await page.getByLabel('Describe the problem').fill('This is the worst, we will cancel our subscription if nobody fixes this!!!');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/portal\/tickets\/ESC-\d+$/);
    const key = decodeURIComponent(page.url().split('/').pop() ?? '');

    await page.getByRole('button', { name: 'Request escalation' }).click();
    await page.getByLabel('Why should this be escalated?').fill('We ship 500 parcels a day and cannot print labels.');
    await page.getByRole('button', { name: 'Request escalation' }).click();
    await page.getByText(/Your request was passed on to Specialist support/).waitFor();
    await page.getByRole('button', { name: 'Request escalation' }).click();
    await page.getByLabel('Why should this be escalated?').fill('Still nothing!');
    await page.getByRole('button', { name: 'Request escalation' }).click();
    await page.getByText(/Your earlier request is still with Specialist support/).waitFor();

    const sam = await signIn(await browser(), suite.server.url, 'sam@example.com');
    await sam.goto(`${suite.server.url}/tickets/${key}`);
    const timeline = sam.locator('.timeline');
    await timeline.locator('.customer-reason', { hasText: 'We ship 500 parcels a day and cannot print labels.' }).waitFor();
    await timeline.getByText(/Customer asked for escalation again: recorded, not escalated/).waitFor();
    await timeline.locator('.customer-reason', { hasText: 'Still nothing!' }).waitFor();
    expect((await sam.locator('.meta .badge.level').textContent())?.trim()).toBe('L2 · specialists');

    const requester = sam.getByRole('region', { name: 'Requester' });
    await requester.getByText('alex@northwind.example').waitFor();
    await requester.locator('.org-name', { hasText: 'Northwind Traders' }).waitFor();
    await requester.getByText(/Contract value/).waitFor();
    const cues = sam.getByRole('region', { name: 'Customer cues' });
    await cues.locator('[data-flag="churn"]', { hasText: '“cancel our subscription”' }).waitFor();
    await cues.getByText(/Sentiment angry/).waitFor();

    // The customer never sees the cues or the internal record of the second request.
    expect(await page.content()).not.toContain('request_recorded');
    expect(await page.content()).not.toContain('Customer cues');
  });
});
