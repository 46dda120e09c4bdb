/**
 * Escalation risk end to end, with nothing written by hand (issue 14): the demo's own model
 * (trained by the seed on the team's finished tickets and put in force) scores a ticket an agent
 * opens, in the creation's transaction; a policy whose risk rule is switched on escalates it on
 * the `risk.changed` it causes; the lead sees the badge, the risk line in the timeline and, in
 * the escalation's "why", the score and the reasons the model gave.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { apiAs, browserUnavailable, browserSuite, signIn } from './browser.ts';

interface Rule {
  id: string;
  enabled?: boolean;
  if?: unknown;
}

describe('escalation risk, live (browser)', () => {
  if (browserUnavailable !== null) return;
  const suite = browserSuite({ tickets: 160 });

  it('the demo model scores a new ticket, the risk rule escalates it, and the why shows the score and its reasons', async () => {
    const url = suite.server.url;
    const admin = await apiAs(url, 'admin@example.com');
    const model = await admin<{ in_force: { model_id: string } | null }>('GET', '/risk/model');
    expect(model.in_force, 'the demo puts a model trained on its own history in force').not.toBeNull();

    // The reference policy's likely-to-breach rule, switched on, at a threshold any score passes:
    // what is under test is the path (score → risk.changed → rule → escalation with reasons).
    const policy = parseYaml(REFERENCE_POLICY) as { rules: Rule[] };
    const rule = policy.rules.find((r) => r.id === 'likely-to-breach');
    expect(rule?.enabled).toBe(false);
    if (!rule) return;
    delete rule.enabled;
    rule.if = { 'risk.score': { gte: 0.001 } };
    await admin('PUT', '/policy', policy);

    const agent = await apiAs(url, 'ana@example.com');
    const created = await agent<{ key: string }>('POST', '/tickets', {
      subject: 'Webhook deliveries stopped again',
      body: 'Nothing has arrived since this morning; our integration is down.',
      priority: 'urgent',
      channel: 'phone',
      requester: { email: 'kim@umbrella.example', name: 'Kim' },
    });
    const ticket = await agent<{ level: string | null; risk: { score: number; band: string; reasons: Array<{ feature: string; effect: number }> } | null }>('GET', `/tickets/${created.key}`);
    expect(ticket.risk, 'scored in the creation transaction').not.toBeNull();
    expect(ticket.risk?.reasons.length).toBeGreaterThan(0);
    const events = await agent<{ items: Array<{ type: string; payload: Record<string, unknown> }> }>('GET', `/tickets/${created.key}/events`);
    const changed = events.items.find((e) => e.type === 'risk.changed');
    expect(changed?.payload).toMatchObject({ from: null, to: ticket.risk?.band });
    const escalated = events.items.find((e) => e.type === 'ticket.escalated');
    expect(escalated?.payload).toMatchObject({ rule: 'likely-to-breach', reason: 'sla_risk' });
    const why = (escalated?.payload.explanation ?? {}) as { risk?: { score: number; reasons: unknown[] } };
    expect(why.risk?.score).toBeCloseTo(ticket.risk?.score ?? -1, 6);
    expect(why.risk?.reasons.length).toBeGreaterThan(0);

    const page = await signIn(await suite.browser(), url, 'lina@example.com');
    await page.goto(`${url}/tickets/${created.key}`);
    const pct = `${Math.round((ticket.risk?.score ?? 0) * 100)}%`;
    await page.getByText(`${ticket.risk?.band} risk ${pct}`).first().waitFor();
    await page.getByText(/Escalation risk scored/).first().waitFor();
    const whyBox = page.locator('details.why').filter({ hasText: 'likely-to-breach' });
    await whyBox.waitFor();
    const text = (await whyBox.textContent()) ?? '';
    expect(text).toContain(`Escalation risk ${pct}`);
    expect(text).toContain(ticket.risk?.reasons[0]?.feature ?? '?');
  });
});
