/**
 * Cross-site request forgery in a real browser (issue 12, finding 2). A lead is signed in to
 * the console; pages of an attacker — on another port of the same host (same site: SameSite=Lax
 * lets the session cookie through) and on another site — auto-submit forms (text/plain,
 * urlencoded, multipart) and no-cors fetches (with and without a body) to acknowledge her
 * escalation and to sign her out. Nothing may happen: the escalation still waits for
 * acknowledgement and her session still works. The console itself still acknowledges and
 * signs out, and renders its pages (and /docs) without a Content-Security-Policy violation.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, browserSuite, browserUnavailable, CHROMIUM, signIn, type Browser } from '../web/browser.ts';

const ATTACKER_HOST = 'attacker.test';
const documentation = { summary: 'Scanner rejects firmware', steps_taken: 'Re-downloaded, verified checksum', needs_attention: 'Signature check' };

/** Chromium as the suite's helper starts it, plus a name for the other site. */
async function launchWithAttackerSite(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'escalon-csrf-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${ATTACKER_HOST} 127.0.0.1`,
      '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
    ],
    viewport: { width: 1360, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const VECTORS = ['form-text-plain', 'form-urlencoded', 'form-multipart', 'fetch-no-cors-text', 'fetch-no-cors-empty'] as const;
type Vector = (typeof VECTORS)[number];

/** The attacker's page: it fires at `target` as soon as it loads. */
function attackPage(vector: Vector, target: string): string {
  const t = JSON.stringify(target);
  const form = (enctype: string, inputs: string) =>
    `<form method="POST" action=${t} enctype="${enctype}">${inputs}</form><script>document.forms[0].submit()</script>`;
  const body = {
    'form-text-plain': form('text/plain', `<input name='{"reason":"' value='x"}'>`),
    'form-urlencoded': form('application/x-www-form-urlencoded', '<input name="reason" value="x">'),
    'form-multipart': form('multipart/form-data', '<input name="reason" value="x">'),
    'fetch-no-cors-text': `<script>fetch(${t}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' })</script>`,
    'fetch-no-cors-empty': `<script>fetch(${t}, { method: 'POST', mode: 'no-cors', credentials: 'include' })</script>`,
  }[vector];
  return `<!doctype html><html><head><meta charset="utf-8"><title>Win a prize</title></head><body><h1>Win a prize</h1>${body}</body></html>`;
}

interface SlaView {
  escalation: { acknowledgement_pending: { escalation_id: string } | null };
}

describe.skipIf(browserUnavailable !== null)('cross-site request forgery (browser)', () => {
  const suite = browserSuite({ tickets: 10 });
  let attacker: Server;
  let attackerPort = 0;
  let browser: Browser;
  let lina: Page;
  let key = '';
  const violations: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m: ConsoleMessage) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
    });
  };

  beforeAll(async () => {
    attacker = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const vector = u.searchParams.get('v') as Vector;
      const target = u.searchParams.get('target') ?? '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackPage(vector, target));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerPort = (attacker.address() as { port: number }).port;
    browser = await launchWithAttackerSite();

    // An escalation that waits for acknowledgement by Lina (lead of the receiving team).
    const customer = await apiAs(suite.server.url, 'kim@initech.example');
    const ana = await apiAs(suite.server.url, 'ana@example.com');
    key = (await customer<{ key: string }>('POST', '/tickets', { subject: 'Scanner update refused', body: 'The scanner refuses the update.', priority: 'high' })).key;
    await ana('POST', `/tickets/${key}/escalate`, { reason: 'technical_complexity', documentation, require_acknowledgement: true });
    lina = await signIn(browser, suite.server.url, 'lina@example.com');
    watch(lina);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
  });

  const pending = async () => {
    const linaApi = await apiAs(suite.server.url, 'lina@example.com');
    return (await linaApi<SlaView>('GET', `/tickets/${key}/sla`)).escalation.acknowledgement_pending;
  };
  const sessionWorks = async () => (await lina.request.get(`${suite.server.url}/api/v1/me`)).status();

  for (const site of ['same-site', 'cross-site'] as const) {
    it(`pages ${site === 'same-site' ? 'on the same site (another port of 127.0.0.1)' : `on another site (${ATTACKER_HOST})`} cannot acknowledge or sign out`, async () => {
      const origin = `http://${site === 'same-site' ? '127.0.0.1' : ATTACKER_HOST}:${attackerPort}`;
      expect(await pending()).not.toBeNull();
      expect(await sessionWorks()).toBe(200);
      const seen: Record<string, number> = {};
      for (const target of [`${suite.server.url}/api/v1/tickets/${key}/acknowledge`, `${suite.server.url}/api/v1/auth/logout`]) {
        for (const vector of VECTORS) {
          const page = await browser.context.newPage();
          try {
            const [answer] = await Promise.all([
              page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST', { timeout: 15_000 }),
              page.goto(`${origin}/?v=${vector}&target=${encodeURIComponent(target)}`),
            ]);
            seen[`${vector} → ${target.replace(suite.server.url, '')}`] = answer.status();
          } finally {
            await page.close();
          }
        }
      }
      // Same site: the cookie rides along and the server refuses (403 CSRF_REJECTED, or 415 for
      // a body type a form can send). Another site: SameSite=Lax keeps the cookie home (401),
      // and the server would refuse anyway. Never a 200/204.
      for (const [what, status] of Object.entries(seen)) {
        if (site === 'same-site') expect([403, 415], what).toContain(status);
        else expect([401, 403, 415], what).toContain(status);
      }
      expect(Object.keys(seen)).toHaveLength(VECTORS.length * 2);
      expect(await pending(), 'the escalation still waits for acknowledgement').not.toBeNull();
      expect(await sessionWorks(), 'the session was not ended').toBe(200);
    });
  }

  it('the console still acknowledges (JSON from its own origin)', async () => {
    await lina.goto(`${suite.server.url}/tickets/${key}`);
    await lina.getByRole('button', { name: 'Acknowledge' }).click();
    await lina.getByText('Escalation acknowledged.').waitFor();
    expect(await pending()).toBeNull();
  });

  it('the console renders its pages, the portal and /docs with no Content-Security-Policy violation', async () => {
    // An admin sees every console page; what each page waits for shows it rendered its data.
    const admin = await signIn(await suite.browser(), suite.server.url, 'admin@example.com');
    watch(admin);
    const pages: Array<[string, string]> = [
      ['/queues/mine', 'table.queue'],
      ['/dashboard', 'canvas'], // uPlot: canvas plus inline styles
      ['/matrix', 'table.rules'],
      ['/policy', 'textarea'],
      ['/support-hours', 'table.sh-targets'],
      ['/quick-reference', 'table.qr-table'],
      ['/drills', 'form.drill-start'],
      [`/tickets/${key}`, 'h1'],
    ];
    for (const [path, ready] of pages) {
      await admin.goto(`${suite.server.url}${path}`);
      await admin.locator(ready).first().waitFor();
    }

    await admin.goto(`${suite.server.url}/docs`);
    await admin.getByText('Escalon API').first().waitFor();
    await admin.locator('.opblock').first().waitFor();
    const headers = (await admin.request.get(`${suite.server.url}/docs/static/index.html`)).headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");

    // A customer in a browser of her own: the portal.
    const kim = await signIn(await suite.browser(), suite.server.url, 'kim@initech.example');
    watch(kim);
    await kim.goto(`${suite.server.url}/portal`);
    await kim.getByRole('heading', { name: 'Your requests' }).waitFor();
    await kim.locator(`text=${key}`).first().waitFor();
    expect(violations).toEqual([]);
  });

  it('the console still signs out (a body-less POST of its own)', async () => {
    await lina.goto(`${suite.server.url}/queues`);
    await lina.getByRole('button', { name: 'Sign out' }).click();
    await lina.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await sessionWorks()).toBe(401);
  });
});
