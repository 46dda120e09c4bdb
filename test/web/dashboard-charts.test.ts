/**
 * The dashboard in a real browser on the demo database: its charts are uPlot canvases with
 * axes, a legend and a tooltip that shows the hovered bucket's figures; its numbers are the
 * report API's (tiles, SLA compliance in the tooltip, the per-agent table); a lead sees it too,
 * and a filter redraws it. A screenshot is written for people to look at.
 */
import { describe, expect, it } from 'vitest';
import { apiAs, browserUnavailable, signIn, browserSuite } from './browser.ts';

interface Ratio {
  numerator: number;
  denominator: number;
  rate: number | null;
}
interface Report {
  tickets_created: number;
  escalation_rate: Ratio;
  sla_compliance: Record<string, Ratio & { met: number; breached: number }>;
  agents: Array<{ key: string; name?: string; handled: number }>;
}

const pct = (r: number | null): string => (r === null ? '—' : `${(r * 100).toFixed(r < 0.1 && r > 0 ? 1 : 0)}%`);

describe.skipIf(browserUnavailable !== null)('dashboard charts (browser)', () => {
  const suite = browserSuite({ tickets: 30 });
  const browser = suite.browser;


  it('draws uPlot charts with axes, legend and tooltips, showing the report API’s numbers', async () => {
    const api = await apiAs(suite.server.url, 'marc@example.com');
    const report = await api<Report>('GET', '/reports/kpis');
    const page = await signIn(await browser(), suite.server.url, 'marc@example.com');
    await page.setViewportSize({ width: 1280, height: 1800 });
    await page.goto(`${suite.server.url}/dashboard`);
    await page.locator('figure.chart .uplot canvas').first().waitFor();
    expect(await page.locator('figure.chart svg').count()).toBe(0);
    expect(await page.locator('figure.chart .uplot').count()).toBeGreaterThanOrEqual(6);

    const created = Number(await page.locator('.tile', { hasText: 'Tickets created' }).locator('.tile-value').textContent());
    expect(created).toBe(report.tickets_created);
    // Checklist items (playbooks) chart exactly when the report has checklist figures.
    const items = (report as unknown as { bottlenecks: { checklist_items?: unknown[] } }).bottlenecks.checklist_items ?? [];
    expect(await page.locator('figure.chart', { hasText: 'checklist items' }).count()).toBe(items.length > 0 ? 1 : 0);
    await expect(page.locator('.tile', { hasText: 'Escalation rate' }).locator('.tile-value').textContent()).resolves.toBe(pct(report.escalation_rate.rate));

    const trend = page.locator('figure.chart', { hasText: 'Escalation rate' }).first();
    // x axis with bucket labels, a left axis (tickets) and a right axis (rate), each titled
    expect(await trend.locator('.u-axis').count()).toBe(3);
    await expect(trend.locator('.u-legend').textContent()).resolves.toMatch(/created.*escalated.*escalation rate/s);

    // the SLA chart's tooltip gives the compliance of the report, met / (met + breached)
    const sla = page.locator('figure.chart', { hasText: 'SLA compliance' });
    const box = await sla.locator('.u-over').boundingBox();
    if (!box) throw new Error('no plot area');
    const metrics = Object.entries(report.sla_compliance).filter(([, s]) => s.denominator > 0);
    expect(metrics.length).toBeGreaterThan(0);
    const [firstMetric, first] = metrics[0] as [string, Ratio & { met: number; breached: number }];
    expect(first.denominator).toBe(first.met + first.breached);
    await page.mouse.move(box.x + box.width / (2 * metrics.length), box.y + box.height / 2);
    const tip = sla.locator('.chart-tooltip');
    await tip.waitFor();
    await expect(tip.textContent()).resolves.toContain(`compliance: ${pct(first.rate)}`);
    await expect(tip.textContent()).resolves.toMatch(new RegExp(firstMetric.split('_')[0] ?? '', 'i'));

    // the per-agent table, one row per first responder
    const rows = page.locator('table.agents-table tbody tr');
    expect(await rows.count()).toBe(report.agents.length);
    expect(report.agents.length).toBeGreaterThan(0);
    const firstAgent = report.agents[0];
    await expect(rows.first().locator('th').textContent()).resolves.toBe(firstAgent?.name ?? firstAgent?.key);
    await expect(rows.first().locator('td').first().textContent()).resolves.toBe(String(firstAgent?.handled));

    await page.screenshot({ path: process.env.ESCALON_DASHBOARD_SHOT ?? '/tmp/escalon-dashboard.png', fullPage: true });

    // a filter narrows the report and redraws
    await page.getByLabel('Priority').selectOption('urgent');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(async () => Number(await page.locator('.tile', { hasText: 'Tickets created' }).locator('.tile-value').textContent()))
      .toBeLessThan(created);
  });

  it('a lead reads the dashboard and the per-agent figures', async () => {
    const page = await signIn(await browser(), suite.server.url, 'lina@example.com');
    await page.goto(`${suite.server.url}/dashboard`);
    await page.waitForTimeout(3000);
    await page.screenshot({ path: '/tmp/lead.png' });
    await page.locator('figure.chart .uplot canvas').first().waitFor();
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
  });
});
