/**
 * Issue 16, "Done when": two consoles on two nodes; a reply on one appears on the other within
 * 1 s. Two real `escalon serve` processes on one fresh PostgreSQL database (demo seed), one
 * Chromium per node (each its own profile, signed in as a different person), both on the same
 * ticket. The lag is measured in the browsers, on the machine's one clock: from the moment the
 * reply's POST response ended in the sending page (Resource Timing) to the moment its text is in
 * the other page's DOM (a MutationObserver). The 1 s is the assertion (the one latency
 * bound allowed); the figure is logged. The console's fallback poll is 30 s while its stream is
 * open, so only the cross-node stream can make it. The same on SQLite, one process, two consoles
 * on the one node (the in-process path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describePostgres } from '../helpers/db.ts';
import { demoPostgresDatabase, startServeNode, type ServeNode } from '../helpers/serve-nodes.ts';
import { apiAs, browserUnavailable, ensureWebBuilt, launchBrowser, signIn, startServer, type Browser, type Running } from './browser.ts';

/** What the page scripts below touch (the test's TypeScript has no DOM types). */
interface PageGlobal {
  __seenAt: number | null;
  document: { body: { textContent: string | null } };
  performance: { timeOrigin: number; now(): number; clearResourceTimings(): void; getEntriesByType(t: string): Array<{ name: string; responseEnd: number }> };
  MutationObserver: new (cb: () => void) => { observe(target: unknown, opts: Record<string, boolean>): void };
}

/** Starts watching `page` for `text`; the moment it appears is kept in window.__seenAt. */
async function watchFor(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const w = globalThis as unknown as PageGlobal;
    w.__seenAt = null;
    const check = () => {
      if (w.__seenAt === null && (w.document.body.textContent ?? '').includes(t)) w.__seenAt = w.performance.timeOrigin + w.performance.now();
    };
    new w.MutationObserver(check).observe(w.document.body, { subtree: true, childList: true, characterData: true });
    check();
  }, text);
}

/** Posts a public reply from `page` through the console; the epoch ms its POST response ended (in the page). */
async function reply(page: Page, key: string, text: string): Promise<number> {
  await page.evaluate(() => (globalThis as unknown as PageGlobal).performance.clearResourceTimings());
  await page.getByLabel('Reply or note').fill(text);
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/v1/tickets/${key}/comments`));
  await page.getByRole('button', { name: 'Send public reply' }).click();
  expect((await answered).status()).toBe(201);
  await page.getByText('Reply sent to the customer.').waitFor();
  const end = await page.evaluate((path) => {
    const p = (globalThis as unknown as PageGlobal).performance;
    const e = p.getEntriesByType('resource').filter((r) => r.name.endsWith(path)).pop();
    return e ? p.timeOrigin + e.responseEnd : null;
  }, `/api/v1/tickets/${key}/comments`);
  if (end === null) throw new Error('no resource timing for the reply POST');
  return end;
}

async function lagTo(page: Page, since: number): Promise<number> {
  await page.waitForFunction(() => (globalThis as unknown as PageGlobal).__seenAt !== null, null, { timeout: 15_000 });
  const seen = await page.evaluate(() => (globalThis as unknown as PageGlobal).__seenAt ?? 0);
  return Math.round(seen - since);
}

/**
 * Two consoles (two browsers, two people) on `urlA` and `urlB`, both on one open ticket; a public
 * reply from each in turn; the lag of each to the other page's DOM.
 */
async function twoConsoles(browsers: Browser[], urlA: string, urlB: string): Promise<{ lagAB: number; lagBA: number }> {
  const api = await apiAs(urlA, 'ana@example.com');
  const list = await api<{ items: Array<{ key: string; status: string }> }>('GET', '/tickets?limit=50');
  const key = list.items.find((t) => t.status === 'open' || t.status === 'pending' || t.status === 'new')?.key;
  if (!key) throw new Error('the demo has an open ticket');

  browsers.push(await launchBrowser(), await launchBrowser());
  const [ba, bb] = browsers.slice(-2);
  if (!ba || !bb) throw new Error('two browsers');
  const pageA = await signIn(ba, urlA, 'ana@example.com');
  const pageB = await signIn(bb, urlB, 'lina@example.com');
  for (const [page, url] of [[pageA, urlA], [pageB, urlB]] as const) {
    await page.goto(`${url}/tickets/${key}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  }
  // Let both streams open and each node's listener settle (its first connection sends a refresh).
  await new Promise((r) => setTimeout(r, 1_500));

  const textAB = `Reply from console A, ${Date.now()}`;
  await watchFor(pageB, textAB);
  const lagAB = await lagTo(pageB, await reply(pageA, key, textAB));

  const textBA = `Reply from console B, ${Date.now()}`;
  await watchFor(pageA, textBA);
  const lagBA = await lagTo(pageA, await reply(pageB, key, textBA));
  return { lagAB, lagBA };
}

if (!browserUnavailable) {
  describePostgres('two consoles on two nodes (browser)', () => {
    let drop: () => Promise<void> = async () => undefined;
    const nodes: ServeNode[] = [];
    const browsers: Browser[] = [];

    beforeAll(async () => {
      ensureWebBuilt();
      const db = await demoPostgresDatabase(20);
      drop = db.drop;
      nodes.push(await startServeNode(db.url), await startServeNode(db.url));
    }, 240_000);
    afterAll(async () => {
      for (const b of browsers) await b.close().catch(() => undefined);
      for (const n of nodes) await n.stop();
      await drop();
    });

    it('a reply posted on one console appears on the other within 1 s, both ways', async () => {
      const [a, b] = nodes;
      if (!a || !b) throw new Error('two nodes');
      const { lagAB, lagBA } = await twoConsoles(browsers, a.url, b.url);
      console.log(`[live across nodes] reply POST answered on one node → text in the other console's DOM: A→B ${lagAB} ms, B→A ${lagBA} ms`);
      // The requirement (the one latency assertion allowed).
      expect(lagAB).toBeLessThanOrEqual(1_000);
      expect(lagBA).toBeLessThanOrEqual(1_000);
    }, 120_000);
  });

  // SQLite, one process: the same through the in-process feed (and a file that has a test
  // wherever Chromium is, PostgreSQL or not).
  describe('two consoles on one node, SQLite (browser)', () => {
    const browsers: Browser[] = [];
    let server: Running | undefined;
    beforeAll(async () => {
      ensureWebBuilt();
      server = await startServer({ tickets: 20 });
    }, 240_000);
    afterAll(async () => {
      for (const b of browsers) await b.close().catch(() => undefined);
      await server?.close();
    });

    it('a reply posted on one console appears on the other through the stream, both ways', async () => {
      if (!server) throw new Error('server');
      // Each waits at most 15 s for the text, while the fallback poll is 30 s: only the stream makes it.
      const { lagAB, lagBA } = await twoConsoles(browsers, server.url, server.url);
      console.log(`[live, one node] reply POST answered → text in the other console's DOM: ${lagAB} ms, ${lagBA} ms`);
      expect(lagAB).toBeGreaterThan(0);
      expect(lagBA).toBeGreaterThan(0);
    }, 120_000);
  });
}
