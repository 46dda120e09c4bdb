/**
 * The XSS corpus, in Chromium against the real server (demo data): script tags, img onerror,
 * svg onload, details ontoggle, iframe srcdoc, javascript: URLs (plain and in markdown links),
 * attribute and textarea breakouts, template-literal and template-engine breakouts — put into
 * 16 user-controlled fields through the API (ticket subject, body and category, a public reply, an
 * internal note, a customer's comment, tags, an escalation's documentation, a de-escalation
 * reason, the customer's and an agent's name, the organization's name and account manager, an
 * attachment's file name, level names and a webhook URL in the policy), then the console and
 * portal pages that show them are visited as an admin, an agent and the customer. Asserted on
 * every page: the payloads' text is on the page (they were rendered), no payload ran (the
 * `window.__xss` flag every payload sets stays unset, and no dialog opened), and no element
 * carries an event-handler attribute, a javascript: link or an iframe srcdoc.
 * One browser, one context (cookies cleared between people).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { apiAs, browserSuite, browserUnavailable, DEMO_PASSWORD, launchBrowser, signIn } from '../web/browser.ts';

const RUN = 'window.__xss=(window.__xss||[]).concat(1)';
/** Every vector in one text (≤ 200 characters per field where names are short). */
const FULL = [
  `XSS-MARK<script>${RUN}</script>`,
  `<img src=x onerror="${RUN}">`,
  `<svg onload="${RUN}">`,
  `"><img src=x onerror=${RUN}>`,
  `</textarea><script>${RUN}</script>`,
  '${' + RUN + '}`;' + RUN + ';`',
  `[click](javascript:${RUN})`,
  `<a href="javascript:${RUN}">link</a>`,
  `<details open ontoggle="${RUN}">`,
  `<iframe srcdoc="<script>parent.__xss=1</script>">`,
  `{{constructor.constructor('${RUN}')()}}`,
].join(' ');
const SHORT = `XSS-MARK"><img src=x onerror=${RUN}><svg onload=${RUN}>`;
/** A tag has no spaces or commas, ≤ 64 characters. */
const TAG = `XSS-MARK<img/src=x/onerror=__xss=1>`;

/** Run in the page: what a payload did (the flag), live elements it made, how many payloads show. */
const INSPECT = `(() => {
  const live = [];
  for (const el of Array.from(document.querySelectorAll('*'))) {
    const tag = el.tagName.toLowerCase();
    for (const a of Array.from(el.attributes)) {
      if (/^on/i.test(a.name)) live.push('<' + tag + ' ' + a.name + '>');
      if (['href', 'src', 'action', 'formaction'].includes(a.name) && /^\\s*javascript:/i.test(a.value)) live.push('<' + tag + ' ' + a.name + '=javascript:>');
      if (a.name === 'srcdoc') live.push('<' + tag + ' srcdoc>');
    }
    if (el.tagName === 'SCRIPT' && (el.textContent || '').includes('__xss')) live.push('<script> with a payload');
  }
  return { ran: window.__xss === undefined ? null : window.__xss, live, marks: document.body.innerText.split('XSS-MARK').length - 1 };
})()`;

interface Ticket {
  id: string;
  key: string;
  requester_id: string;
  organization_id: string;
}

describe.skipIf(browserUnavailable !== null)('XSS corpus (browser)', () => {
  const suite = browserSuite({ tickets: 8 });

  it('no payload in 16 fields runs or becomes a live element on 10 console and portal pages', async () => {
    const base = suite.server.url;
    const admin = await apiAs(base, 'admin@example.com');
    const agent = await apiAs(base, 'ana@example.com');
    const customer = await apiAs(base, 'kim@initech.example');

    // Fields: subject, body (customer); category and tags (staff), replies, notes, comments.
    const t = await customer<Ticket>('POST', '/tickets', { subject: `${FULL}`.slice(0, 500), body: `${FULL}\n\n${FULL}` });
    await agent('PATCH', `/tickets/${t.key}`, { tags: [TAG, 'xss'] });
    const staffTicket = await agent<Ticket>('POST', '/tickets', { subject: `staff ${SHORT}`, body: FULL, category: SHORT.slice(0, 100), requester_id: t.requester_id });
    await agent('POST', `/tickets/${t.key}/comments`, { body: `public ${FULL}`, public: true });
    await agent('POST', `/tickets/${t.key}/comments`, { body: `note ${FULL}`, public: false });
    await customer('POST', `/tickets/${t.key}/comments`, { body: `customer ${FULL}` });
    // An attachment whose file name is a payload.
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@example.com', password: DEMO_PASSWORD }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const form = new FormData();
    form.append('file', new Blob(['hello']), `XSS-MARK"><img src=x onerror=__xss=1>.txt`);
    const up = await fetch(`${base}/api/v1/attachments`, { method: 'POST', headers: { cookie, origin: base, 'sec-fetch-site': 'same-origin' }, body: form });
    expect(up.status, await up.clone().text()).toBe(201);
    const file = ((await up.json()) as { items: Array<{ id: string }> }).items[0]!.id;
    await agent('POST', `/tickets/${t.key}/comments`, { body: 'with a file', public: true, attachment_ids: [file] });
    // Escalation documentation and a de-escalation reason (timeline).
    await agent('POST', `/tickets/${t.key}/escalate`, { reason: 'other', documentation: { summary: FULL, steps_taken: SHORT, needs_attention: SHORT } });
    await agent('POST', `/tickets/${t.key}/de-escalate`, { reason: FULL });
    // Names: the customer, an agent, the organization and its account manager.
    const users = await admin<{ items: Array<{ id: string; email: string }> }>('GET', '/users');
    const id = (email: string) => users.items.find((u) => u.email === email)!.id;
    await admin('PATCH', `/users/${id('kim@initech.example')}`, { name: SHORT });
    await admin('PATCH', `/users/${id('ana@example.com')}`, { name: SHORT });
    await admin('PATCH', `/organizations/${t.organization_id}`, { name: SHORT, account_manager: SHORT });
    // The policy: level names and a webhook URL with payloads.
    const policy = await admin<{ source: string }>('GET', '/policy');
    const source = policy.source
      .replace('name: Frontline support', `name: ${JSON.stringify(SHORT)}`)
      .replace('name: Specialist support', `name: ${JSON.stringify(`Specialists ${SHORT}`)}`)
      .replace(/\nrules:\n/, `\nrules:\n  - id: xss-hook\n    on: ticket.created\n    do:\n      - notify: { to: [{ webhook: ${JSON.stringify(`https://hooks.example.com/"><img src=x onerror=__xss=1>`)} }], template: idle-reminder }\n`);
    const put = await fetch(`${base}/api/v1/policy`, { method: 'PUT', headers: { cookie: await adminCookie(base), 'content-type': 'text/yaml', origin: base, 'sec-fetch-site': 'same-origin' }, body: source });
    expect(put.status, await put.clone().text()).toBe(200);

    // Escaping is proven on its own: the pages' Content-Security-Policy (which would block an
    // inline handler anyway) is bypassed, so a payload that reached the DOM as HTML would run.
    const browser = await launchBrowser({ bypassCSP: true });
    onTestFinished(() => browser.close());
    const dialogs: string[] = [];
    const report: Array<{ page: string; ran: unknown; live: string[]; marks: number }> = [];
    const visit = async (page: import('playwright-core').Page, path: string, waitFor?: string) => {
      await page.goto(`${base}${path}`);
      await page.waitForLoadState('networkidle');
      if (waitFor) await page.getByText(waitFor, { exact: false }).first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(300);
      report.push({ page: path, ...(await inspect(page)) });
    };
    const inspect = (page: import('playwright-core').Page) => page.evaluate(INSPECT) as Promise<{ ran: unknown; live: string[]; marks: number }>;

    const staffPage = await signIn(browser, base, 'admin@example.com');
    staffPage.on('dialog', (d) => void (dialogs.push(`${d.type()}: ${d.message()}`), d.dismiss()));
    await visit(staffPage, `/tickets/${t.key}`, 'XSS-MARK');
    await visit(staffPage, `/tickets/${staffTicket.key}`, 'XSS-MARK');
    await visit(staffPage, '/queues/escalated');
    await visit(staffPage, '/dashboard');
    await visit(staffPage, '/matrix', 'XSS-MARK');
    await visit(staffPage, '/policy');
    await staffPage.close();
    await browser.context.clearCookies();

    const agentPage = await signIn(browser, base, 'ana@example.com');
    agentPage.on('dialog', (d) => void (dialogs.push(`${d.type()}: ${d.message()}`), d.dismiss()));
    await visit(agentPage, '/queues/team', 'XSS-MARK');
    await visit(agentPage, `/tickets/${t.key}`, 'XSS-MARK');
    await agentPage.close();
    await browser.context.clearCookies();

    const portal = await signIn(browser, base, 'kim@initech.example');
    portal.on('dialog', (d) => void (dialogs.push(`${d.type()}: ${d.message()}`), d.dismiss()));
    await visit(portal, '/portal', 'XSS-MARK');
    await visit(portal, `/portal/tickets/${t.key}`, 'XSS-MARK');
    // Control: the same payload inserted as HTML (what an escaping bug would do) is caught.
    await portal.evaluate(`document.body.insertAdjacentHTML('beforeend', ${JSON.stringify(`<img src=x onerror="${RUN}">`)})`);
    await portal.waitForFunction('window.__xss !== undefined');
    const control = await inspect(portal);
    expect(control.ran).not.toBeNull();
    expect(control.live).toContain('<img onerror>');
    await portal.close();

    console.log(`[xss corpus] ${report.map((r) => `${r.page}: ${r.marks} payloads shown`).join('; ')}`);
    expect(dialogs).toEqual([]);
    expect(report.filter((r) => r.ran !== null || r.live.length > 0)).toEqual([]);
    // The payloads were on the pages that show them (a page that showed nothing would prove nothing).
    for (const r of report) if (!['/dashboard', '/policy', '/queues/escalated'].includes(r.page)) expect(r.marks, r.page).toBeGreaterThan(0);
    expect(report.reduce((n, r) => n + r.marks, 0)).toBeGreaterThan(30);
  });
});

async function adminCookie(base: string): Promise<string> {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: DEMO_PASSWORD }) });
  return (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}
