/**
 * In a real browser against the demo server: the quick-reference page shows the policy in
 * force (teams, rules, targets, hours, on call) and prints on A4 without cut-offs — under print
 * media at the A4 content width nothing is wider than the page, the navigation is gone, and
 * Chromium's own A4 PDF of the page is made. Screenshots (screen and print) go to
 * $ESCALON_SCREENSHOT_DIR (default /work/shots/wt-drills when it exists, else the temp dir).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSuite, browserUnavailable, signIn } from './browser.ts';

const shots = process.env.ESCALON_SCREENSHOT_DIR ?? (existsSync('/work/shots') ? '/work/shots/wt-drills' : join(tmpdir(), 'escalon-screenshots'));
mkdirSync(shots, { recursive: true });
/** A4 is 210 mm wide; the print stylesheet keeps 12 mm margins: 186 mm of content, at 96 px per inch. */
const A4_CONTENT_PX = Math.floor((186 / 25.4) * 96);

/** Runs in the page: what sticks out past the page width under print media, and what print hides. */
const LAYOUT = `(() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('article.qr *')]
    .map((el) => ({ el, r: el.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && r.right > width + 1)
    .map(({ el, r }) => el.tagName.toLowerCase() + '.' + el.className + ' right=' + Math.round(r.right));
  const hidden = (sel) => [...document.querySelectorAll(sel)].every((e) => getComputedStyle(e).display === 'none');
  return { width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 10), navHidden: hidden('.topbar'), printButtonHidden: hidden('.no-print') };
})()`;

if (browserUnavailable === null) {
  describe('quick reference (browser)', () => {
    const suite = browserSuite({ tickets: 10 });

    it('is linked from the header and shows the policy in force', async () => {
      const page = await signIn(await suite.browser(), suite.server.url, 'ana@example.com');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quick reference' }).click();
      await page.getByRole('heading', { name: 'Escalation quick reference' }).waitFor();
      const text = (await page.locator('article.qr').textContent()) ?? '';
      for (const s of ['Who handles what', 'frontline', 'legal-risk', 'escalate to team legal (legal_compliance)', 'On call now', 'engineering', 'Response targets per tier', 'enterprise', 'Hours and holidays', 'us-business', 'Checklists']) expect(text).toContain(s);
      expect(text).toMatch(/engineering: e(li|va)@example\.com/);
      await page.screenshot({ path: join(shots, 'quick-reference-screen.png'), fullPage: true });
    });

    it('prints on A4 without cut-offs', async () => {
      const page = await signIn(await suite.browser(), suite.server.url, 'marc@example.com');
      await page.goto(`${suite.server.url}/quick-reference`);
      await page.getByRole('heading', { name: 'Escalation quick reference' }).waitFor();
      await page.setViewportSize({ width: A4_CONTENT_PX, height: 1123 });
      await page.emulateMedia({ media: 'print' });
      const layout = (await page.evaluate(LAYOUT)) as { width: number; scrollWidth: number; wide: string[]; navHidden: boolean; printButtonHidden: boolean };
      expect(layout.wide).toEqual([]);
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
      expect(layout.navHidden).toBe(true);
      expect(layout.printButtonHidden).toBe(true);
      await page.screenshot({ path: join(shots, 'quick-reference-print.png'), fullPage: true });

      const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
      writeFileSync(join(shots, 'quick-reference.pdf'), pdf);
      const body = readFileSync(join(shots, 'quick-reference.pdf')).toString('latin1');
      const pages = body.match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(pages).toBeLessThanOrEqual(4);
      // A4 media box: 595 × 842 points.
      expect(body).toMatch(/\/MediaBox\s*\[\s*0\s+0\s+59[45](\.\d+)?\s+84[12](\.\d+)?\s*\]/);
    });
  });
}
