/**
 * Attachments in a real browser against the real server: a customer opens a request with a
 * file in the portal and replies with another; the agent sees both in the console, downloads
 * one (bytes intact), replies publicly with a file and adds an internal note with a file; the
 * customer downloads the reply's file and never sees the note's.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserUnavailable, signIn, browserSuite } from './browser.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(20_000, 3)]);
const LOG = Buffer.from('12:00 driver crashed\n12:01 restarted\n');
const PATCH = Buffer.from('%PDF-1.4\nthe fix\n');
/** Screenshots to look at (docs/screenshots/attachments-*.png are copies of them). */
const shots = process.env.ESCALON_SCREENSHOT_DIR ?? tmpdir();

async function downloaded(page: Page, name: string): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: name, exact: true }).first().click()]);
  expect(download.suggestedFilename()).toBe(name);
  return readFile((await download.path()) as string);
}

describe.skipIf(browserUnavailable !== null)('attachments (browser)', () => {
  const suite = browserSuite({ tickets: 10 });
  const browser = suite.browser;


  it('customer and agent attach, see and download files; an internal note’s file stays with staff', async () => {
    const customer = await signIn(await browser(), suite.server.url, 'kim@initech.example');
    await customer.goto(`${suite.server.url}/portal/new`);
    await customer.getByLabel('Subject').fill('Label printer prints garbage');
    await customer.getByLabel('Describe the problem').fill('See the photo of the output.');
    await customer.getByLabel('Attach files').setInputFiles({ name: 'output photo.png', mimeType: 'image/png', buffer: PNG });
    await customer.getByLabel('Files to send').getByText('output photo.png').waitFor();
    await customer.getByRole('button', { name: 'Send request' }).click();
    await customer.getByRole('link', { name: 'output photo.png' }).waitFor();
    const key = (await customer.locator('h1 .key').textContent()) ?? '';
    expect(key).toMatch(/^ESC-\d+$/);

    await customer.getByLabel('Your reply').fill('And the driver log.');
    await customer.getByLabel('Attach files').setInputFiles({ name: 'driver.log', mimeType: 'text/plain', buffer: LOG });
    await customer.getByRole('button', { name: 'Send reply' }).click();
    await customer.getByText('Your reply was sent.').waitFor();
    await customer.getByRole('link', { name: 'driver.log' }).waitFor();

    const agent = await signIn(await browser(), suite.server.url, 'ana@example.com');
    await agent.goto(`${suite.server.url}/tickets/${key}`);
    await agent.getByRole('heading', { name: 'Timeline' }).waitFor();
    await agent.getByRole('link', { name: 'output photo.png' }).waitFor();
    await agent.locator('.timeline').getByRole('link', { name: 'driver.log' }).waitFor();
    expect((await downloaded(agent, 'output photo.png')).equals(PNG)).toBe(true);

    await agent.getByLabel('Reply or note').fill('Known issue: internal analysis attached.');
    await agent.getByLabel('Attach files').setInputFiles({ name: 'analysis-internal.txt', mimeType: 'text/plain', buffer: Buffer.from('staff only') });
    await agent.getByRole('button', { name: 'Add internal note' }).click();
    await agent.getByText('Internal note added.').waitFor();
    await agent.getByLabel('Reply or note').fill('Please install the attached fix.');
    await agent.getByLabel('Attach files').setInputFiles({ name: 'fix.pdf', mimeType: 'application/pdf', buffer: PATCH });
    await agent.getByRole('button', { name: 'Send public reply' }).click();
    await agent.getByText('Reply sent to the customer.').waitFor();
    await agent.locator('.timeline').getByRole('link', { name: 'fix.pdf' }).waitFor();
    await agent.locator('.timeline').getByRole('link', { name: 'analysis-internal.txt' }).waitFor();
    await agent.screenshot({ path: join(shots, 'attachments-console.png'), fullPage: true });

    await customer.reload();
    await customer.getByRole('link', { name: 'fix.pdf' }).waitFor();
    expect((await downloaded(customer, 'fix.pdf')).equals(PATCH)).toBe(true);
    expect(await customer.getByText('analysis-internal.txt').count()).toBe(0);
    await customer.screenshot({ path: join(shots, 'attachments-portal.png'), fullPage: true });
  });
});
