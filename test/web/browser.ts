/**
 * The browser suite's harness: the real server in-process (buildApp + listen on a random
 * port) over a fresh SQLite file with the demo seed, the built console (web/dist, built here
 * when missing), and Debian's Chromium driven by playwright-core in a fresh profile.
 *
 * When /usr/bin/chromium is missing the suite is skipped with the reason printed — unless
 * ESCALON_REQUIRE_ALL_SUITES=1 (CI), where that is a failure.
 */
import { afterAll, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { systemClock } from '../../src/app/deps.ts';
import { WEB_REQUESTS_ORG_ID } from '../../src/app/intake-organization.ts';
import { LiveEngine } from '../../src/app/live-engine.ts';
import { PolicyRegistry } from '../../src/app/policy-registry.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/app/seed-demo.ts';
import { buildApp } from '../../src/http/build-app.ts';
import { diskByteStore } from '../../src/store/byte-store.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { rebuildRollups } from '../../src/reporting/rollups.ts';

export const CHROMIUM = process.env.ESCALON_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.ESCALON_REQUIRE_ALL_SUITES === '1';

/** Why the browser suite cannot run here, or null. */
export const browserUnavailable: string | null = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
if (browserUnavailable && !REQUIRED) console.warn(`[escalon tests] skipping the browser suite: ${browserUnavailable}`);
if (browserUnavailable && REQUIRED) throw new Error(`ESCALON_REQUIRE_ALL_SUITES=1 but the browser suite cannot run: ${browserUnavailable}`);

export { DEMO_PASSWORD };

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Builds web/dist when it is missing or older than web/src (what `npm test` does first). */
export function ensureWebBuilt(): void {
  const r = spawnSync(process.execPath, [join(root, 'web', 'ensure-built.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the web console did not build (npm run build:web)');
}

export interface Running {
  url: string;
  store: Store;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The real server on a random loopback port, on a fresh SQLite database seeded with the demo data. */
export async function startServer(opts: { tickets?: number } = {}): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'escalon-web-'));
  const store = openStore(`sqlite:${join(dir, 'escalon.db')}`);
  await migrateToLatest(store);
  await seedDemo(store, { tickets: opts.tickets ?? 30 });
  // The reports read per-ticket rollups; derive them for the seeded history (as `escalon report --rebuild` does).
  await rebuildRollups(store.db);
  const live = new LiveEngine(new PolicyRegistry(), systemClock);
  const app = await buildApp({
    store,
    clock: systemClock,
    engine: live,
    live,
    attachmentLimit: 1024 * 1024,
    files: diskByteStore(join(dir, 'files')),
    http: { bodyLimit: 1024 * 1024, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false },
    // As `serve` does: the web form's new senders join the demo's "Web requests" organization.
    intake: { defaultOrganizationId: WEB_REQUESTS_ORG_ID, webFormPerMinute: 1000, webFormPerHourPerSender: 100, sources: {} },
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    store,
    app,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** `bypassCSP`: pages run without their Content-Security-Policy (to prove escaping on its own). */
export async function launchBrowser(options: { bypassCSP?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'escalon-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
    bypassCSP: options.bypassCSP ?? false,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new page signed in as `email` (the demo password), landed on its home. */
export async function signIn(browser: Browser, baseUrl: string, email: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** A separate cookie jar: a second person in the same browser. */
export async function signInIsolated(baseUrl: string, email: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const b = await launchBrowser();
  const page = await signIn(b, baseUrl, email);
  return { page, close: () => b.close() };
}

/** The HTTP API as one demo person (session cookie), for arranging what a test needs. */
export async function apiAs(baseUrl: string, email: string): Promise<<T>(method: string, path: string, body?: unknown) => Promise<T>> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
  if (!login.ok) throw new Error(`sign-in of ${email} failed: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}

/**
 * One demo server and the browsers a suite opens, started before its tests and closed after
 * them. `server` is read inside tests (it exists once the suite's beforeAll ran).
 */
export function browserSuite(opts: { tickets?: number } = {}): { readonly server: Running; browser: () => Promise<Browser> } {
  let running: Running | undefined;
  const browsers: Browser[] = [];
  beforeAll(async () => {
    ensureWebBuilt();
    running = await startServer(opts);
  });
  afterAll(async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    await running?.close();
  });
  return {
    get server(): Running {
      if (!running) throw new Error('the suite server is not started (read it inside a test)');
      return running;
    },
    async browser() {
      const b = await launchBrowser();
      browsers.push(b);
      return b;
    },
  };
}
