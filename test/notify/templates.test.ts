import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATE_NAMES } from '../../src/domain/policy/builtin-templates.ts';
import { redactForCustomer } from '../../src/notify/templates/redact.ts';
import { renderTemplate } from '../../src/notify/templates/render.ts';
import { sampleContext } from '../../src/notify/templates/render-context.ts';
import { BUILTIN_TEMPLATES, checkTemplate } from '../../src/notify/templates/template-store.ts';

describe('shipped templates', () => {
  it('ships every template name the policy registry knows, and each renders', async () => {
    for (const name of BUILTIN_TEMPLATE_NAMES) {
      const src = BUILTIN_TEMPLATES[name];
      expect(src, name).toBeDefined();
      expect(await checkTemplate(name, src!), name).toEqual([]);
    }
  });

  it('technical complexity carries summary, steps taken and areas needing attention', async () => {
    const m = await renderTemplate('t', BUILTIN_TEMPLATES['technical-complexity-escalation']!, sampleContext());
    expect(m.text).toContain('Steps already taken\nCleared the cache; reproduced on staging.');
    expect(m.text).toContain('Areas needing attention\nThe export worker runs out of memory.');
    expect(m.text).toContain('Summary\nExports fail for large accounts.');
  });

  it('high value carries contract value, account manager and recommended actions', async () => {
    const m = await renderTemplate('t', BUILTIN_TEMPLATES['high-value-escalation']!, sampleContext());
    expect(m.text).toContain('annual contract value of 250000');
    expect(m.text).toContain('Account manager: amy@example.com');
    expect(m.text).toContain('- Call the account manager within the hour');
  });

  it('legal carries trigger points and supporting documentation', async () => {
    const m = await renderTemplate('t', BUILTIN_TEMPLATES['compliance-legal-escalation']!, sampleContext());
    expect(m.text).toMatch(/Trigger points\n- sla.metric eq resolution/);
    expect(m.text).toMatch(/Supporting documentation\n- export-log.txt/);
  });

  it('customer messages: what to expect (reply and resolution time), survey link, and no internal facts', async () => {
    const ctx = redactForCustomer(sampleContext());
    const esc = await renderTemplate('t', BUILTIN_TEMPLATES['escalated-customer-update']!, ctx);
    expect(esc.text).toContain('We expect to resolve your request by Mon, Mar 2, 2026, 8:00 AM EST.');
    const received = await renderTemplate('t', BUILTIN_TEMPLATES['ticket-received-customer']!, ctx);
    expect(received.text).toContain("We'll reply within 2 business hours");
    expect(received.html).toContain('We expect to resolve your request by');
    const confirm = await renderTemplate('t', BUILTIN_TEMPLATES['intake-confirm-customer']!, ctx);
    expect(confirm.html).toContain('<a href="https://escalon.example.com/api/v1/intake/confirm/sample-token">');
    const done = await renderTemplate('t', BUILTIN_TEMPLATES['resolved-customer-survey']!, ctx);
    expect(done.text).toContain('https://escalon.example.com/api/v1/csat/sample-token');
    expect(done.html).toContain('<a href="https://escalon.example.com/api/v1/csat/sample-token">');
    for (const name of ['escalated-customer-update', 'customer-progress-update', 'resolved-customer-survey', 'ticket-received-customer', 'intake-confirm-customer']) {
      const m = await renderTemplate(name, BUILTIN_TEMPLATES[name]!, ctx);
      expect(m.text + m.html + m.subject).not.toContain('amy@example.com');
      expect(m.text + m.html).not.toContain('breach-goes-up');
    }
  });

  it('user text is data: escaped in HTML, never evaluated as Liquid, one line in the subject', async () => {
    const ctx = sampleContext();
    ctx.ticket.subject = 'Hi {{ organization.contract_value }} {% raw %}<img src=x onerror=alert(1)>\nBcc: evil@example.com';
    ctx.latest_update = '<b>bold</b>\nsecond line';
    const m = await renderTemplate('t', BUILTIN_TEMPLATES['customer-progress-update']!, redactForCustomer(ctx));
    expect(m.subject).toContain('Hi {{ organization.contract_value }} {% raw %}');
    expect(m.subject).not.toContain('250000');
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.html).toContain('&lt;b&gt;bold&lt;/b&gt;<br />\nsecond line');
    const esc = await renderTemplate('t', BUILTIN_TEMPLATES['escalated-customer-update']!, redactForCustomer(ctx));
    expect(esc.html).not.toContain('<img');
    expect(esc.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const internal = await renderTemplate('t', BUILTIN_TEMPLATES['idle-reminder']!, ctx);
    expect(internal.html).not.toContain('<img');
    expect(internal.html).toContain('&lt;img');
  });

  it('strict mode: an unknown variable or filter is refused, with the reason', async () => {
    expect(await checkTemplate('x', { audience: 'internal', subject: '{{ ticket.nope }}', text: 'x' })).toEqual([expect.stringContaining('undefined variable: ticket.nope')]);
    expect(await checkTemplate('x', { audience: 'internal', subject: 'ok', text: '{{ ticket.key | shout }}' })).toEqual([expect.stringContaining('undefined filter: shout')]);
    expect(await checkTemplate('x', { audience: 'internal', subject: 'ok', text: '{% if %}' })).toHaveLength(1);
  });
});
