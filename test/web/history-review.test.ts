/**
 * In a real browser against the real server on a demo database: the policy editor lists the
 * applied versions, compares one with the version in force, and rolls back only from a plan;
 * its plan shows SLA changes as the API does. A lead writes the review of a solved ticket
 * and its root cause appears in the manager dashboard's causes.
 */
import { describe, expect, it } from 'vitest';
import { apiAs, browserUnavailable, signIn, browserSuite } from './browser.ts';

describe.skipIf(browserUnavailable !== null)('policy history and reviews (browser)', () => {
  const suite = browserSuite({ tickets: 20 });
  const browser = suite.browser;


  it('the policy editor plans SLA changes, lists versions, shows a diff and rolls back after a plan', async () => {
    const admin = await apiAs(suite.server.url, 'admin@example.com');
    const v1 = await admin<{ version: number; source: string }>('GET', '/policy');
    const changed = v1.source.replace(/first_response: 15m/, 'first_response: 25m');
    expect(changed).not.toBe(v1.source);

    const page = await signIn(await browser(), suite.server.url, 'admin@example.com');
    await page.goto(`${suite.server.url}/policy`);
    const area = page.getByLabel('Policy document (YAML)');
    await area.fill(changed);
    await page.getByRole('button', { name: 'Validate and plan' }).click();
    await page.getByText(new RegExp(`Applying makes version ${v1.version + 1}`)).waitFor();
    const slaSection = page.locator('.plan h3', { hasText: 'SLA policies' }).locator('xpath=following-sibling::*[1]');
    await expect(slaSection.textContent()).resolves.toMatch(/~ \w+/);
    await page.getByRole('button', { name: `Apply version ${v1.version + 1}` }).click();
    await page.getByText(new RegExp(`Applied: version ${v1.version + 1} is in force`)).waitFor();

    const history = page.locator('section', { has: page.getByRole('heading', { name: 'History' }) });
    await history.getByText(`v${v1.version + 1} (in force)`).waitFor();
    await history.getByRole('button', { name: `Compare v${v1.version} with v${v1.version + 1}` }).click();
    const diff = page.locator('pre.policy-diff');
    await diff.waitFor();
    await expect(diff.locator('.removed').first().textContent()).resolves.toContain('first_response: 15m');
    await expect(diff.locator('.added').first().textContent()).resolves.toContain('first_response: 25m');

    await history.getByRole('button', { name: `Plan rollback to v${v1.version}` }).click();
    await page.getByText(`Rollback to version ${v1.version}: the plan`).waitFor();
    // Planning wrote nothing.
    expect((await admin<{ version: number }>('GET', '/policy')).version).toBe(v1.version + 1);
    await page.getByRole('button', { name: `Roll back: apply version ${v1.version + 2}` }).click();
    await page.getByText(`Rolled back: version ${v1.version + 2} (the document of version ${v1.version}) is in force.`).waitFor();
    const now = await admin<{ version: number; source: string }>('GET', '/policy');
    expect(now.version).toBe(v1.version + 2);
    expect(now.source).toBe(v1.source);
    await history.getByText(new RegExp(`rollback to version ${v1.version}`)).waitFor();
  });

  it('a lead writes the review of a solved ticket and its root cause appears in the causes on the dashboard', async () => {
    const customer = await apiAs(suite.server.url, 'kim@initech.example');
    const t = await customer<{ key: string }>('POST', '/tickets', { subject: 'Sync stalls at night', body: 'the nightly sync stops halfway', priority: 'high' });
    const agent = await apiAs(suite.server.url, 'ana@example.com');
    await agent('POST', `/tickets/${t.key}/comments`, { body: 'Looking into it.', public: true });
    await agent('PATCH', `/tickets/${t.key}`, { status: 'solved' });

    const page = await signIn(await browser(), suite.server.url, 'lina@example.com');
    await page.goto(`${suite.server.url}/tickets/${t.key}`);
    await page.getByRole('button', { name: 'Write review' }).click();
    await page.getByLabel('Root cause', { exact: true }).selectOption('third_party');
    await page.getByLabel('Root cause in words').fill('the storage vendor throttled the nightly export');
    await page.getByLabel('What went well').fill('the customer was told within the hour');
    await page.getByLabel('What went badly').fill('no alert on vendor throttling');
    await page.getByRole('button', { name: 'Add action' }).click();
    await page.getByLabel('Action 1', { exact: true }).fill('alert on vendor throttling');
    await page.getByLabel('Owner of action 1').selectOption({ label: 'Marc Manager' });
    await page.getByLabel('Due date of action 1').fill('2027-01-15');
    await page.getByRole('button', { name: 'Save review' }).click();
    await page.getByText('Review saved.').waitFor();
    await expect(page.getByTestId('review-lessons').textContent()).resolves.toContain('alert on vendor throttling — Marc Manager, due 2027-01-15');

    const manager = await signIn(await browser(), suite.server.url, 'marc@example.com');
    await manager.goto(`${suite.server.url}/dashboard`);
    const chart = manager.locator('figure.chart', { hasText: 'root cause from reviews' }).locator('[role="img"]');
    await chart.waitFor();
    await expect(chart.getAttribute('aria-label')).resolves.toMatch(/third party: tickets 1\b/);
  });
});
