/**
 * Screenshots of each main screen into docs/screenshots/ (not part of the suite):
 *   npx tsx test/web/take-screenshots.ts
 * Runs the real server on a fresh demo database and walks the console as an agent, a
 * manager, an admin and a customer, on a laptop-sized and a phone-sized viewport.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, signIn, startServer } from './browser.ts';

const out = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(out, { recursive: true });

ensureWebBuilt();
const server = await startServer({ tickets: Number(process.env.TICKETS ?? 120) });
const shot = async (page: Page, name: string) => {
  await page.waitForTimeout(1200);
  await page.screenshot({ path: `${out}${name}.png`, fullPage: process.env.FULL === '1' });
  process.stdout.write(`docs/screenshots/${name}.png\n`);
};
try {
  const only = process.env.ONLY?.split(',');
  const want = (n: string) => !only || only.includes(n);
  if (want('agent')) {
    const b = await launchBrowser();
    const page = await signIn(b, server.url, 'ana@example.com');
    await page.goto(`${server.url}/queues/team`);
    await page.locator('tr[data-ticket]').first().waitFor();
    await shot(page, 'queue-team');
    await page.goto(`${server.url}/queues/escalated`);
    await page.getByLabel('Team').selectOption('');
    await page.locator('tr[data-ticket]').first().waitFor();
    await shot(page, 'queue-escalated');
    const key = await page.locator('tr[data-ticket]').first().getAttribute('data-ticket');
    await page.goto(`${server.url}/tickets/${key}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await shot(page, 'ticket');
    await page.getByRole('button', { name: 'Escalate…', exact: true }).click();
    await shot(page, 'escalate-dialog');
    await page.keyboard.press('Escape');
    await page.goto(`${server.url}/matrix`);
    await shot(page, 'matrix');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/queues/escalated`);
    await page.getByLabel('Team').selectOption('');
    await page.locator('tr[data-ticket]').first().waitFor();
    await shot(page, 'phone-queue');
    await page.goto(`${server.url}/tickets/${key}`);
    await shot(page, 'phone-ticket');
    await b.close();
  }
  if (want('manager')) {
    const b = await launchBrowser();
    const page = await signIn(b, server.url, 'marc@example.com');
    await page.goto(`${server.url}/dashboard`);
    await page.locator('figure.chart .uplot canvas').first().waitFor();
    await shot(page, 'dashboard');
    await page.goto(`${server.url}/policy`);
    await page.getByLabel('Policy document (YAML)').waitFor();
    const area = page.getByLabel('Policy document (YAML)');
    const text = await area.inputValue();
    await area.fill(text.replace('level: L2', 'level: L9').replace('calendar: always\n    pause_on', 'calendar: nowhere\n    pause_on'));
    await page.getByRole('button', { name: 'Validate and plan' }).click();
    await page.locator('.problems li').first().waitFor();
    await shot(page, 'policy-editor');
    await b.close();
  }
  if (want('customer')) {
    const b = await launchBrowser();
    const page = await signIn(b, server.url, 'alex@initech.example');
    await shot(page, 'portal-home');
    await page.locator('.portal-list a').first().click();
    await page.getByRole('list', { name: 'Conversation' }).waitFor();
    await shot(page, 'portal-ticket');
    await b.close();
    const anon = await launchBrowser();
    const p2 = await anon.context.newPage();
    await p2.goto(`${server.url}/login`);
    await shot(p2, 'login');
    await anon.close();
  }
} finally {
  await server.close();
}
