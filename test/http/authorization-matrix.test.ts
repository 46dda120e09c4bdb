/**
 * The authorization matrix: every route the app registered (walked from its onRoute record,
 * so a route added later is covered without touching this file) × every role (and nobody) ×
 * a resource of the customer's own organization and of another one. Fails on any leak:
 * a role reaching what it may not, another organization's ticket answering differently from
 * a missing one, internal notes or events in a customer's response, secrets in any response.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createToken } from '../../src/app/create-token.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import type { Access } from '../../src/http/access.ts';
import { ensureEndpoint } from '../../src/notify/webhook-endpoints-repo.ts';
import { diskByteStore } from '../../src/store/byte-store.ts';
import { describeStores } from '../helpers/db.ts';
import { INTERNAL, OTHER_ORG, seedMatrixTickets } from '../helpers/matrix-tickets.ts';
import { createUser } from '../../src/app/create-user.ts';
import { makeTestApp, type Person, type TestApp } from '../helpers/app.ts';

const PEOPLE: Array<Person | 'nobody'> = ['nobody', 'admin', 'manager', 'lead', 'agent', 'customerA'];
const ROLE_OF: Record<string, string> = { admin: 'admin', manager: 'manager', lead: 'lead', agent: 'agent', customerA: 'customer' };
type Side = 'own' | 'other';

/** A ticket every admin may preview a template against (set once the matrix's tickets exist). */
let previewTicket = 'ESC-1';

/** Request bodies for routes that take one; a new body route must add its sample here. */
const SAMPLE_BODIES: Record<string, (t: TestApp) => unknown> = {
  'POST /api/v1/auth/login': (t) => ({ email: t.cast.actors.agent.email, password: 'wrong password' }),
  'POST /api/v1/auth/logout': () => undefined,
  // a wrong current password: the cast's tokens must survive the matrix
  'POST /api/v1/auth/password': () => ({ current_password: 'not the current password', new_password: 'matrix new password 1' }),
  'POST /api/v1/tickets': () => ({ subject: 'matrix', body: 'matrix body' }),
  'PATCH /api/v1/tickets/:ticketRef': () => ({ tags: ['matrix'] }),
  'POST /api/v1/tickets/:ticketRef/comments': () => ({ body: 'matrix reply', public: true }),
  'PUT /api/v1/tickets/:ticketRef/ccs': () => ({ ccs: ['matrix-cc@acme.example'] }),
  'PUT /api/v1/tickets/:ticketRef/checklists/:checklist/items/:item': () => ({ done: true }),
  'POST /api/v1/tickets/:ticketRef/macros/:macroId/preview': () => undefined,
  'POST /api/v1/organizations': () => ({ name: 'Matrix Org', tier: 'standard' }),
  'PATCH /api/v1/organizations/:orgId': () => ({ account_manager: 'someone' }),
  'POST /api/v1/users': () => ({ email: `matrix-${Math.random().toString(36).slice(2)}@example.com`, name: 'M', role: 'agent' }),
  'PATCH /api/v1/users/:userId': () => ({ name: 'Renamed' }),
  'POST /api/v1/tokens': (t) => ({ user_id: t.cast.actors.agent.userId, name: 'matrix' }),
  'POST /api/v1/requesters/:requesterId/erase': () => ({ confirm: true }),
  'POST /api/v1/tickets/:ticketRef/escalate': () => ({}),
  'POST /api/v1/tickets/:ticketRef/csat': () => ({ rating: 5 }),
  'POST /api/v1/tickets/:ticketRef/de-escalate': () => ({ reason: 'matrix' }),
  'POST /api/v1/tickets/:ticketRef/acknowledge': () => undefined,
  'POST /api/v1/policy/plan': () => 'version: 1',
  'PUT /api/v1/policy': () => 'version: 1',
  'POST /api/v1/policy/rollback': () => ({ version: 1, dry_run: true }),
  'PUT /api/v1/risk/model': () => ({ not: 'a model' }),
  'PUT /api/v1/tickets/:ticketRef/review': () => ({ root_cause: 'other', root_cause_detail: 'matrix', went_well: '', went_badly: '', actions: [] }),
  'PUT /api/v1/templates/:name': () => ({ subject: '{{ ticket.key }}', text: 'matrix {{ ticket.subject }}' }),
  'PATCH /api/v1/webhook-endpoints/:id': () => ({ enabled: true }),
  'POST /api/v1/users/:userId/invite': () => ({}),
  // end_access false: the cast's own sessions and tokens must outlive the matrix's resets
  'POST /api/v1/users/:userId/reset-password': () => ({ end_access: false }),
  'POST /api/v1/auth/set-password': () => ({ token: 'not-a-valid-set-password-token', password: 'matrix new password 1' }),
  'POST /api/v1/webhook-endpoints': () => ({ url: `https://hooks.example.com/matrix-${Math.random().toString(36).slice(2)}` }),
  'POST /api/v1/webhook-endpoints/:id/test': () => ({}),
  'POST /api/v1/templates/:name/preview': () => ({ ticket: previewTicket, subject: 'Preview {{ ticket.key }}', text: 'preview {{ ticket.subject }}' }),
  'POST /api/v1/intake/web': (t) => ({ name: 'Matrix', email: t.cast.actors.customerA.email, subject: 'matrix', body: 'matrix body' }),
  'POST /api/v1/intake/hooks/:source': () => ({ from: '+15550000000', body: 'matrix' }),
  'POST /api/v1/csat/:token': () => ({ rating: 5 }),
  // not multipart: refused with 415 (the upload itself is proven in attachments-api.test.ts)
  'POST /api/v1/attachments': () => ({ file: 'matrix' }),
  'POST /api/v1/intake/confirm/:token': () => ({}),
  'POST /api/v1/drills': () => ({ scenario: { kind: 'example', id: 'three-tickets' }, trainees: 'all_agents' }),
  'POST /api/v1/drills/:drillId/decisions': () => ({ ticket_id: 'missing', escalate: false }),
};

describeStores('authorization matrix', (ctx) => {
  let t: TestApp;
  const filesDir = mkdtempSync(join(tmpdir(), 'escalon-matrix-files-'));
  const refs: Record<string, Record<Side, () => Promise<string>>> = {};
  beforeAll(async () => {
    t = await makeTestApp(ctx.store, { files: diskByteStore(filesDir) });
    const { actors, orgA, orgB } = t.cast;
    const seeded = await seedMatrixTickets(t);
    const own = { ticket: seeded.own };
    const other = { ticket: seeded.other };
    previewTicket = own.ticket.key;
    const { ownFile, otherFile } = seeded;
    refs.attachmentId = { own: async () => ownFile, other: async () => otherFile };
    const token = async () => (await createToken(t.deps, { user: { id: actors.agent2.userId }, name: 'victim' })).token.id;
    refs.ticketRef = { own: async () => own.ticket.key, other: async () => other.ticket.key };
    refs.orgId = { own: async () => orgA, other: async () => orgB };
    refs.userId = { own: async () => actors.customerA.userId, other: async () => actors.customerB.userId };
    refs.tokenId = { own: token, other: token };
    refs.name = { own: async () => 'idle-reminder', other: async () => 'sla-breach-internal' };
    const hook = (await ensureEndpoint(t.deps.store.db, 'https://hooks.example.com/matrix', t.deps.clock.now())).id;
    refs.id = { own: async () => hook, other: async () => hook };
    refs.source = { own: async () => 'sms', other: async () => 'chat' };
    // A throwaway requester: the matrix's erasures really run (the first erases, the rest are no-ops).
    const requester = (await createUser(t.deps, { email: `matrix-requester-${Math.random().toString(36).slice(2)}@example.com`, name: 'Matrix Requester', role: 'customer', organizationId: orgB })).id;
    refs.requesterId = { own: async () => requester, other: async () => requester };
    refs.token = { own: async () => 'not-a-survey-token', other: async () => 'not-a-survey-token' };
    // No drill exists here: every drill route answers DRILL_NOT_FOUND (the full matrix probes a real one).
    refs.drillId = { own: async () => 'no-such-drill', other: async () => 'no-such-drill' };
    refs.n = { own: async () => '1', other: async () => '1' };
    refs.a = { own: async () => '1', other: async () => '1' };
    refs.b = { own: async () => '1', other: async () => '1' };
    refs.checklist = { own: async () => 'legal_compliance', other: async () => 'legal_compliance' };
    refs.item = { own: async () => 'counsel', other: async () => 'counsel' };
    refs.macroId = { own: async () => 'ask-logs', other: async () => 'ask-logs' };
  });
  afterAll(async () => {
    await t.app.close();
    rmSync(filesDir, { recursive: true, force: true });
  });

  async function fill(url: string, side: Side | 'missing'): Promise<{ url: string; values: string[] }> {
    const values: string[] = [];
    const parts = await Promise.all(
      url.split('/').map(async (seg) => {
        if (!seg.startsWith(':')) return seg;
        const name = seg.slice(1);
        const ref = refs[name];
        if (!ref) throw new Error(`the matrix does not know the route parameter '${name}' (${url}): add it to refs`);
        const v = side === 'missing' ? 'ESC-987654321' : await ref[side]();
        values.push(v);
        return encodeURIComponent(v);
      }),
    );
    return { url: parts.join('/'), values };
  }

  function allowed(access: Access, who: Person | 'nobody'): boolean {
    if (access === 'public') return true;
    if (who === 'nobody') return false;
    return access === 'authenticated' || access.includes(ROLE_OF[who] as never);
  }

  it('covers every registered route, and every route declares its access', () => {
    const api = t.app.escalonRoutes.filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(15);
    for (const r of t.app.escalonRoutes.filter((x) => x.url.startsWith('/docs'))) expect(r.access).toBe('public');
  });

  it('enforces roles, organization scoping and internal visibility on every route', async () => {
    const failures: string[] = [];
    const routes = t.app.escalonRoutes.filter((r) => !r.url.startsWith('/docs') && r.method !== 'HEAD');
    for (const route of routes) {
      const sample = SAMPLE_BODIES[`${route.method} ${route.url}`];
      if ((route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT') && !sample) {
        failures.push(`${route.method} ${route.url}: no sample body in SAMPLE_BODIES`);
        continue;
      }
      const sides: Side[] = route.url.includes(':') ? ['own', 'other'] : ['own'];
      for (const who of PEOPLE) {
        for (const side of sides) {
          const { url, values } = await fill(route.url, side);
          const headers = who === 'nobody' ? {} : t.auth(who);
          const payload = sample?.(t);
          const method = route.method as 'GET' | 'POST' | 'PATCH' | 'DELETE';
          const res = await t.app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as object }) });
          const where = `${route.method} ${route.url} as ${who} (${side}) → ${res.statusCode} ${res.body.slice(0, 200)}`;
          if (res.statusCode >= 500) failures.push(`server error: ${where}`);
          if (/\$argon2|password_hash|"digest"/.test(res.body)) failures.push(`secret in response: ${where}`);
          if (!allowed(route.access, who)) {
            const expected = who === 'nobody' ? 401 : 403;
            if (res.statusCode !== expected) failures.push(`expected ${expected}: ${where}`);
            continue;
          }
          if (route.access !== 'public' && (res.statusCode === 401 || res.statusCode === 403)) {
            if (!(who === 'customerA' && res.json<{ error: { code: string } }>().error.code === 'FORBIDDEN' && route.method !== 'GET')) {
              failures.push(`allowed role refused: ${where}`);
            }
          }
          if (who !== 'customerA') continue;
          if (res.body.includes(INTERNAL) || res.body.includes('"internal":true')) failures.push(`internal content leaked: ${where}`);
          if (res.body.includes(OTHER_ORG)) failures.push(`other organization leaked: ${where}`);
          if (side === 'other' && values.length > 0 && (route.url.includes(':ticketRef') || route.url.includes(':orgId'))) {
            const missing = await fill(route.url, 'missing');
            const res2 = await t.app.inject({ method, url: missing.url, headers, ...(payload !== undefined && { payload: payload as object }) });
            const norm = (body: string, vals: string[]) => vals.reduce((b, v) => b.split(v).join('<ref>'), body);
            if (res.statusCode !== res2.statusCode || norm(res.body, values) !== norm(res2.body, missing.values)) {
              failures.push(`another organization's resource answers unlike a missing one: ${where} vs ${res2.statusCode} ${res2.body}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  // Runs after the walk above: it applies a policy, which the walk does without.
  it('acknowledgement and customer-request rows: who may acknowledge, who may ask', async () => {
    const a = t.cast.actors;
    const policy = `version: 1
calendars: { always: { timezone: UTC, hours: 24x7 } }
levels: [{ id: L1, name: Frontline }, { id: L2, name: Specialists }]
teams:
  frontline: { level: L1, calendar: always, members: [${a.agent.email}] }
  specialists: { level: L2, calendar: always, members: [${a.agent2.email}], lead: ${a.lead.email} }
`;
    await applyPolicy(t.deps, a.admin, policy, 'yaml');
    const doc = { summary: 's', steps_taken: 't', needs_attention: 'n' };
    const ackRows: Array<[Person | 'nobody', number, string | null]> = [
      ['nobody', 401, 'UNAUTHENTICATED'],
      ['customerA', 403, 'FORBIDDEN'],
      ['agent', 403, 'ACKNOWLEDGEMENT_NOT_ALLOWED'], // made the escalation
      ['agent2', 200, null], // member of the receiving team
      ['lead', 200, null], // lead of the receiving team
      ['manager', 200, null],
      ['admin', 200, null],
    ];
    const got: Array<[string, number, string | null]> = [];
    for (const [who] of ackRows) {
      const { ticket } = await createTicket(t.deps, a.customerA, { subject: 'ack row', body: 'b' });
      const url = `/api/v1/tickets/${ticket.key}`;
      const up = await t.app.inject({ method: 'POST', url: `${url}/escalate`, headers: t.auth('agent'), payload: { reason: 'other', documentation: doc, require_acknowledgement: true } });
      expect(up.statusCode, up.body).toBe(200);
      const res = await t.app.inject({ method: 'POST', url: `${url}/acknowledge`, headers: who === 'nobody' ? {} : t.auth(who) });
      got.push([who, res.statusCode, res.statusCode === 200 ? null : res.json<{ error: { code: string } }>().error.code]);
    }
    expect(got).toEqual(ackRows);

    const { ticket } = await createTicket(t.deps, a.customerA, { subject: 'request row', body: 'b' });
    const ask = async (who: Person | 'nobody', payload: object) =>
      (await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticket.key}/escalate`, headers: who === 'nobody' ? {} : t.auth(who), payload })).statusCode;
    expect([
      await ask('nobody', { comment: 'please' }),
      await ask('customerB', { comment: 'please' }),
      await ask('customerA', { comment: 'please', to_level: 'L2' }),
      await ask('customerA', { comment: '' }),
      await ask('customerA', { comment: 'please' }),
    ]).toEqual([401, 404, 403, 400, 200]);
  });
});
