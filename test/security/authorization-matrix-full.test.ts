/**
 * The full authorization matrix: EVERY route the app registered (walked from its onRoute
 * record: API, HEAD twins, docs, metrics, health, console pages, assets) × every principal —
 * admin, manager, lead, agent and customer, each once with an API token and once with a
 * session cookie, plus anonymous — × a resource of the customer's own organization and of
 * another one; and GET /api/v1/stream over a real socket.
 *
 * The expected access of each route is written down here, in EXPECTED, independently of the
 * route's own `config.access`: a route added (or an access changed) without a matrix entry
 * makes this test fail. What is checked for each request:
 *   - a principal outside the entry gets 401 UNAUTHENTICATED (anonymous) or 403 FORBIDDEN;
 *   - a principal inside it is never refused with 401/403, except the content-level refusals
 *     listed in the entry (e.g. a customer's internal note);
 *   - no 500, no secret (password hash, token digest) in any answer;
 *   - a customer never sees another organization's data nor internal notes, and another
 *     organization's resource answers byte-for-byte like a missing one;
 *   - a token and a session of the same role get the same status.
 *
 * Staff are not team-scoped for reading (every staff member sees every ticket: docs/security.md);
 * the one team-scoped right, acknowledging an escalation, has its own rows in
 * test/http/authorization-matrix.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addComment } from '../../src/app/add-comment.ts';
import { createToken } from '../../src/app/create-token.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import type { Role } from '../../src/auth/roles.ts';
import { ensureEndpoint } from '../../src/notify/webhook-endpoints-repo.ts';
import { diskByteStore } from '../../src/store/byte-store.ts';
import { insertDrill } from '../../src/store/drills-repo.ts';
import { newId } from '../../src/store/new-id.ts';
import { createUser } from '../../src/app/create-user.ts';
import { makeTestApp, TEST_PASSWORD, type Person, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';
import { INTERNAL, OTHER_ORG, seedMatrixTickets } from '../helpers/matrix-tickets.ts';

const MISSING_TICKET = 'ESC-987654321';

/** A drill stored directly (the matrix applies no policy): agent2 its only trainee. */
async function seedProbeDrill(t: TestApp): Promise<string> {
  const id = newId(t.deps.clock.now());
  await insertDrill(t.deps.store.db, { id, name: 'matrix drill', source: 'example', scenario: 'matrix', policyVersion: 1, createdBy: t.cast.actors.manager.userId, createdAt: t.deps.clock.now(), trainees: [t.cast.actors.agent2.userId] }, []);
  return id;
}

type Allowed = 'public' | readonly Role[];
const SIGNED: readonly Role[] = ['admin', 'manager', 'lead', 'agent', 'customer'];
const STAFF: readonly Role[] = ['admin', 'manager', 'lead', 'agent'];
const LEADS: readonly Role[] = ['admin', 'manager', 'lead'];
const MANAGERS: readonly Role[] = ['admin', 'manager'];
const ADMIN: readonly Role[] = ['admin'];
const CUSTOMER: readonly Role[] = ['customer'];

interface Entry {
  allow: Allowed;
  /** Content-level refusals an allowed principal gets for the sample request (code by role). */
  refuses?: Partial<Record<Role | 'anonymous', string>>;
}
const EVERYONE_REFUSED = (code: string) => Object.fromEntries([...SIGNED, 'anonymous'].map((r) => [r, code]));

/**
 * Who may call what, written out route by route. HEAD twins follow their GET. A route the app
 * registers that is missing here, or whose declared access differs, fails the test.
 */
const EXPECTED: Record<string, Entry> = {
  'GET /docs': { allow: 'public' },
  'HEAD /docs/': { allow: 'public' }, // @fastify/swagger-ui's redirect
  'GET /docs/static/index.html': { allow: 'public' },
  'GET /docs/static/swagger-initializer.js': { allow: 'public' },
  'GET /docs/json': { allow: 'public' },
  'GET /docs/yaml': { allow: 'public' },
  'GET /docs/static/*': { allow: 'public' },
  'GET /metrics': { allow: 'public' },
  'GET /healthz': { allow: 'public' },
  'GET /readyz': { allow: 'public' },
  // The sample signs in with a wrong password: a content-level 401 for everyone.
  'POST /api/v1/auth/login': { allow: 'public', refuses: EVERYONE_REFUSED('INVALID_CREDENTIALS') },
  'POST /api/v1/auth/logout': { allow: SIGNED },
  // The sample gives the wrong current password: a content-level 422 for everyone signed in.
  'POST /api/v1/auth/password': { allow: SIGNED, refuses: Object.fromEntries(SIGNED.map((r) => [r, 'CURRENT_PASSWORD_WRONG'])) },
  'GET /api/v1/me': { allow: SIGNED },
  'POST /api/v1/tickets': { allow: SIGNED },
  'GET /api/v1/tickets': { allow: SIGNED },
  'GET /api/v1/tickets/customer-fields': { allow: SIGNED },
  'GET /api/v1/tickets/:ticketRef': { allow: SIGNED },
  'PATCH /api/v1/tickets/:ticketRef': { allow: STAFF },
  'GET /api/v1/tickets/:ticketRef/comments': { allow: SIGNED },
  'POST /api/v1/tickets/:ticketRef/comments': { allow: SIGNED },
  'GET /api/v1/tickets/:ticketRef/events': { allow: SIGNED },
  'POST /api/v1/attachments': { allow: SIGNED },
  'GET /api/v1/attachments/:attachmentId': { allow: SIGNED },
  'GET /api/v1/tickets/:ticketRef/attachments': { allow: SIGNED },
  'GET /api/v1/tickets/:ticketRef/notifications': { allow: STAFF },
  'GET /api/v1/tickets/:ticketRef/ccs': { allow: STAFF },
  'PUT /api/v1/tickets/:ticketRef/ccs': { allow: STAFF },
  'GET /api/v1/tickets/:ticketRef/checklists': { allow: STAFF },
  'PUT /api/v1/tickets/:ticketRef/checklists/:checklist/items/:item': { allow: STAFF },
  'GET /api/v1/macros': { allow: STAFF },
  'POST /api/v1/tickets/:ticketRef/macros/:macroId/preview': { allow: STAFF },
  'POST /api/v1/tickets/:ticketRef/escalate': { allow: SIGNED },
  'POST /api/v1/tickets/:ticketRef/de-escalate': { allow: STAFF },
  'POST /api/v1/tickets/:ticketRef/acknowledge': { allow: STAFF },
  'GET /api/v1/tickets/:ticketRef/escalations': { allow: STAFF },
  'GET /api/v1/tickets/:ticketRef/sla': { allow: STAFF },
  'GET /api/v1/queues/escalated': { allow: STAFF },
  'GET /api/v1/queues/breaching': { allow: STAFF },
  'GET /api/v1/queues/awaiting-ack': { allow: STAFF },
  'GET /api/v1/queues/by-team': { allow: STAFF },
  'GET /api/v1/queues/likely-to-breach': { allow: STAFF },
  'GET /api/v1/risk/quality': { allow: LEADS },
  'GET /api/v1/tickets/:ticketRef/requester': { allow: STAFF },
  'GET /api/v1/policy': { allow: STAFF },
  'POST /api/v1/policy/plan': { allow: MANAGERS },
  'GET /api/v1/policy/versions': { allow: MANAGERS },
  'GET /api/v1/policy/versions/:n': { allow: MANAGERS },
  'GET /api/v1/policy/versions/:a/diff/:b': { allow: MANAGERS },
  'POST /api/v1/policy/rollback': { allow: MANAGERS },
  'PUT /api/v1/policy': { allow: MANAGERS },
  'GET /api/v1/stream': { allow: SIGNED },
  'GET /api/v1/organizations': { allow: STAFF },
  'GET /api/v1/organizations/:orgId': { allow: SIGNED },
  'POST /api/v1/organizations': { allow: MANAGERS },
  'PATCH /api/v1/organizations/:orgId': { allow: MANAGERS },
  'DELETE /api/v1/organizations/:orgId': { allow: MANAGERS },
  'GET /api/v1/users': { allow: ADMIN },
  'GET /api/v1/directory': { allow: STAFF },
  'GET /api/v1/users/:userId': { allow: ADMIN },
  'POST /api/v1/users': { allow: ADMIN },
  'PATCH /api/v1/users/:userId': { allow: ADMIN },
  'POST /api/v1/users/:userId/invite': { allow: ADMIN },
  'POST /api/v1/users/:userId/reset-password': { allow: ADMIN },
  // The sample's link is not valid: a content-level 404 for everyone.
  'POST /api/v1/auth/set-password': { allow: 'public', refuses: EVERYONE_REFUSED('PASSWORD_LINK_INVALID') },
  'POST /api/v1/webhook-endpoints': { allow: ADMIN },
  'GET /api/v1/webhook-endpoints/:id/deliveries': { allow: ADMIN },
  'POST /api/v1/webhook-endpoints/:id/test': { allow: ADMIN },
  'POST /api/v1/templates/:name/preview': { allow: ADMIN },
  // A throwaway requester of the matrix's own: the erasure really runs (then is a no-op).
  'GET /api/v1/requesters/:requesterId/personal-data': { allow: ADMIN },
  'POST /api/v1/requesters/:requesterId/erase': { allow: ADMIN },
  'GET /api/v1/intake/settings': { allow: ADMIN },
  'GET /admin': { allow: 'public' },
  'GET /admin/*': { allow: 'public' },
  'GET /set-password': { allow: 'public' },
  'GET /api/v1/tokens': { allow: ADMIN },
  'POST /api/v1/tokens': { allow: ADMIN },
  'DELETE /api/v1/tokens/:tokenId': { allow: ADMIN },
  'GET /api/v1/templates': { allow: ADMIN },
  'GET /api/v1/templates/:name': { allow: ADMIN },
  'PUT /api/v1/templates/:name': { allow: ADMIN },
  'DELETE /api/v1/templates/:name': { allow: ADMIN },
  'GET /api/v1/webhook-endpoints': { allow: ADMIN },
  'PATCH /api/v1/webhook-endpoints/:id': { allow: ADMIN },
  'POST /api/v1/intake/web': { allow: 'public' },
  'GET /api/v1/intake/confirm/:token': { allow: 'public' },
  'POST /api/v1/intake/confirm/:token': { allow: 'public' },
  'POST /api/v1/intake/hooks/:source': { allow: 'public' },
  'GET /api/v1/csat/:token': { allow: 'public' },
  'POST /api/v1/csat/:token': { allow: 'public' },
  'POST /api/v1/tickets/:ticketRef/csat': { allow: CUSTOMER },
  'GET /api/v1/support-hours': { allow: 'public' },
  'GET /api/v1/reports/kpis': { allow: LEADS },
  'GET /api/v1/reports/trends': { allow: LEADS },
  'GET /api/v1/reports/causes': { allow: LEADS },
  'GET /api/v1/reports/bottlenecks': { allow: LEADS },
  'GET /api/v1/reports/agents': { allow: LEADS },
  'GET /api/v1/tickets/:ticketRef/review': { allow: STAFF },
  'PUT /api/v1/tickets/:ticketRef/review': { allow: LEADS },
  'GET /api/v1/quick-reference': { allow: STAFF },
  'GET /api/v1/drills': { allow: STAFF },
  // The matrix runs with no policy applied: starting a drill answers NO_POLICY (409) to those allowed.
  'POST /api/v1/drills': { allow: MANAGERS },
  // The probe drill's trainee is agent2 (not a principal here): a manager reads it, other staff
  // get DRILL_NOT_FOUND (404), and nobody of the matrix is its trainee (DRILL_NOT_A_TRAINEE).
  'GET /api/v1/drills/:drillId': { allow: STAFF },
  'GET /api/v1/drills/:drillId/tickets': { allow: STAFF },
  'POST /api/v1/drills/:drillId/decisions': { allow: STAFF, refuses: { admin: 'DRILL_NOT_A_TRAINEE', manager: 'DRILL_NOT_A_TRAINEE' } },
  'GET /api/v1/drills/:drillId/scores': { allow: MANAGERS },
  // Risk prediction (issue 14): the model in force is read by managers, set and switched off by admins.
  'GET /api/v1/risk/model': { allow: MANAGERS },
  'PUT /api/v1/risk/model': { allow: ADMIN },
  'DELETE /api/v1/risk/model': { allow: ADMIN },
  // The console's pages are public HTML shells; every datum they show comes from the API above.
  'GET /': { allow: 'public' },
  'GET /login': { allow: 'public' },
  'GET /contact': { allow: 'public' },
  'GET /rate/*': { allow: 'public' },
  'GET /queues': { allow: 'public' },
  'GET /queues/*': { allow: 'public' },
  'GET /tickets/*': { allow: 'public' },
  'GET /dashboard': { allow: 'public' },
  'GET /matrix': { allow: 'public' },
  'GET /policy': { allow: 'public' },
  'GET /portal': { allow: 'public' },
  'GET /portal/*': { allow: 'public' },
  'GET /support-hours': { allow: 'public' },
  'GET /quick-reference': { allow: 'public' },
  'GET /drills': { allow: 'public' },
  'GET /drills/*': { allow: 'public' },
  'GET /risk': { allow: 'public' },
  'GET /assets/*': { allow: 'public' },
};

/** Request bodies for routes that take one (a new body route must add its sample here). */
const SAMPLE_BODIES: Record<string, (t: TestApp) => { payload?: string | object; type?: string }> = {
  // An address with no account: wrong passwords must not throttle the cast's own accounts.
  // A fresh address each call: the per-account throttle (5 free failures) must not turn the
  // matrix's own calls into 429s.
  'POST /api/v1/auth/login': () => ({ payload: { email: `no-such-person-${Math.random().toString(36).slice(2)}@example.com`, password: 'wrong password, long enough' } }),
  'POST /api/v1/auth/password': () => ({ payload: { current_password: 'not the current password', new_password: 'a brand new passphrase 42' } }),
  'POST /api/v1/auth/logout': () => ({}),
  'POST /api/v1/tickets': () => ({ payload: { subject: 'matrix', body: 'matrix body' } }),
  'PATCH /api/v1/tickets/:ticketRef': () => ({ payload: { tags: ['matrix'] } }),
  'POST /api/v1/tickets/:ticketRef/comments': () => ({ payload: { body: 'matrix reply', public: true } }),
  'PUT /api/v1/tickets/:ticketRef/ccs': () => ({ payload: { ccs: ['matrix-cc@acme.example'] } }),
  'PUT /api/v1/tickets/:ticketRef/checklists/:checklist/items/:item': () => ({ payload: { done: true } }),
  'POST /api/v1/tickets/:ticketRef/macros/:macroId/preview': () => ({}),
  'POST /api/v1/organizations': () => ({ payload: { name: `Matrix Org ${Math.random().toString(36).slice(2)}`, tier: 'standard' } }),
  'PATCH /api/v1/organizations/:orgId': () => ({ payload: { account_manager: 'someone' } }),
  'POST /api/v1/users': () => ({ payload: { email: `matrix-${Math.random().toString(36).slice(2)}@example.com`, name: 'M', role: 'agent' } }),
  'PATCH /api/v1/users/:userId': () => ({ payload: { name: 'Renamed' } }),
  'POST /api/v1/users/:userId/invite': () => ({}),
  // end_access false: the cast's own sessions and tokens must outlive the matrix's resets.
  'POST /api/v1/users/:userId/reset-password': () => ({ payload: { end_access: false } }),
  'POST /api/v1/auth/set-password': () => ({ payload: { token: 'not-a-valid-set-password-token', password: 'a brand new passphrase 42' } }),
  'POST /api/v1/webhook-endpoints': () => ({ payload: { url: `https://hooks.example.com/matrix-${Math.random().toString(36).slice(2)}` } }),
  'POST /api/v1/webhook-endpoints/:id/test': () => ({}),
  'POST /api/v1/templates/:name/preview': () => ({ payload: { ticket: previewTicket, subject: 'Preview {{ ticket.key }}', text: 'preview {{ ticket.subject }}' } }),
  'POST /api/v1/tokens': (t) => ({ payload: { user_id: t.cast.actors.agent2.userId, name: 'matrix' } }),
  'POST /api/v1/requesters/:requesterId/erase': () => ({ payload: { confirm: true } }),
  'POST /api/v1/tickets/:ticketRef/escalate': () => ({ payload: {} }),
  'POST /api/v1/tickets/:ticketRef/csat': () => ({ payload: { rating: 5 } }),
  'POST /api/v1/tickets/:ticketRef/de-escalate': () => ({ payload: { reason: 'matrix' } }),
  'POST /api/v1/tickets/:ticketRef/acknowledge': () => ({}),
  'POST /api/v1/policy/plan': () => ({ payload: 'version: 1', type: 'text/yaml' }),
  'PUT /api/v1/policy': () => ({ payload: 'version: 1', type: 'text/yaml' }),
  'POST /api/v1/policy/rollback': () => ({ payload: { version: 1, dry_run: true } }),
  'PUT /api/v1/tickets/:ticketRef/review': () => ({ payload: { root_cause: 'other', root_cause_detail: 'matrix', went_well: '', went_badly: '', actions: [] } }),
  'PUT /api/v1/templates/:name': () => ({ payload: { subject: '{{ ticket.key }}', text: 'matrix {{ ticket.subject }}' } }),
  'PATCH /api/v1/webhook-endpoints/:id': () => ({ payload: { enabled: true } }),
  'POST /api/v1/intake/web': () => ({ payload: { name: 'Matrix', email: 'matrix-web@example.org', subject: 'matrix', body: 'matrix body' } }),
  'POST /api/v1/intake/hooks/:source': () => ({ payload: { from: '+15550000000', body: 'matrix' } }),
  'POST /api/v1/csat/:token': () => ({ payload: { rating: 5 } }),
  // not multipart: refused with 415 (the upload itself is proven in test/http/attachments-api.test.ts)
  'POST /api/v1/attachments': () => ({ payload: { file: 'matrix' } }),
  'POST /api/v1/intake/confirm/:token': () => ({ payload: {} }),
  'POST /api/v1/drills': () => ({ payload: { scenario: { kind: 'example', id: 'three-tickets' }, trainees: 'all_agents' } }),
  'POST /api/v1/drills/:drillId/decisions': () => ({ payload: { ticket_id: 'missing', escalate: false } }),
  // Not a model file: refused (RISK_MODEL_INVALID, or RISK_UNAVAILABLE on a build without risk models) to an admin.
  'PUT /api/v1/risk/model': () => ({ payload: { not: 'a model' } }),
};

/** Values for the `*` of wildcard routes. */
const WILDCARDS: Record<string, string> = {
  '/docs/static/*': 'index.html',
  '/rate/*': 'some-token',
  '/queues/*': 'team',
  '/tickets/*': 'ESC-1',
  '/portal/*': 'tickets/ESC-1',
  '/drills/*': 'some-drill',
  '/assets/*': 'no-such-asset.js',
  '/admin/*': 'users',
};

/** A ticket every admin may preview a template against (set once the matrix's tickets exist). */
let previewTicket = 'ESC-1';

type Side = 'own' | 'other';
interface Principal {
  name: string;
  role: Role | null;
  person: Person | null;
  via: 'token' | 'session' | 'none';
  headers: () => Promise<Record<string, string>>;
}

const ROLE_PEOPLE: Array<[Role, Person]> = [
  ['admin', 'admin'],
  ['manager', 'manager'],
  ['lead', 'lead'],
  ['agent', 'agent'],
  ['customer', 'customerA'],
];

/** What a browser on the console's own origin sends with a cookie (so CSRF checks let it through). */
const SAME_ORIGIN = { host: 'escalon.test', origin: 'http://escalon.test', 'sec-fetch-site': 'same-origin' };

describeStores('full authorization matrix', (ctx) => {
  let t: TestApp;
  const filesDir = mkdtempSync(join(tmpdir(), 'escalon-matrix-full-'));
  const refs: Record<string, Record<Side, () => Promise<string>>> = {};
  let principals: Principal[] = [];
  let ownKey = '';
  let otherKey = '';
  let otherId = '';

  async function sessionOf(person: Person): Promise<string> {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { ...SAME_ORIGIN, 'content-type': 'application/json' }, payload: { email: t.cast.actors[person].email, password: TEST_PASSWORD } });
    if (res.statusCode !== 200) throw new Error(`sign-in of ${person}: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'escalon_session');
    if (!cookie) throw new Error(`sign-in of ${person} set no session cookie`);
    return `escalon_session=${cookie.value}`;
  }

  beforeAll(async () => {
    t = await makeTestApp(ctx.store, { files: diskByteStore(filesDir) });
    const { actors, orgA, orgB } = t.cast;
    const seeded = await seedMatrixTickets(t);
    const own = { ticket: seeded.own };
    const other = { ticket: seeded.other };
    const { ownFile, otherFile } = seeded;
    ownKey = own.ticket.key;
    previewTicket = own.ticket.key;
    otherKey = other.ticket.key;
    otherId = other.ticket.id;
    const victimToken = async () => (await createToken(t.deps, { user: { id: actors.agent2.userId }, name: 'victim' })).token.id;
    const hook = (await ensureEndpoint(t.deps.store.db, 'https://hooks.example.com/matrix', t.deps.clock.now())).id;
    const same = (v: string) => ({ own: async () => v, other: async () => v });
    refs.ticketRef = { own: async () => own.ticket.key, other: async () => other.ticket.key };
    refs.attachmentId = { own: async () => ownFile, other: async () => otherFile };
    refs.orgId = { own: async () => orgA, other: async () => orgB };
    refs.userId = { own: async () => actors.customerA.userId, other: async () => actors.customerB.userId };
    refs.tokenId = { own: victimToken, other: victimToken };
    refs.name = { own: async () => 'idle-reminder', other: async () => 'sla-breach-internal' };
    refs.id = same(hook);
    refs.requesterId = same((await createUser(t.deps, { email: `matrix-requester-${Math.random().toString(36).slice(2)}@example.com`, name: 'Matrix Requester', role: 'customer', organizationId: t.cast.orgB })).id);
    refs.source = { own: async () => 'sms', other: async () => 'chat' };
    refs.token = same('not-a-valid-token');
    refs.drillId = same(await seedProbeDrill(t));
    refs.n = same('1');
    refs.a = same('1');
    refs.b = same('1');
    refs.checklist = same('legal_compliance');
    refs.item = same('counsel');
    refs.macroId = same('ask-logs');

    principals = [{ name: 'anonymous', role: null, person: null, via: 'none', headers: async () => ({}) }];
    for (const [role, person] of ROLE_PEOPLE) {
      principals.push({ name: `${role} (token)`, role, person, via: 'token', headers: async () => t.auth(person) });
      const cookie = await sessionOf(person);
      principals.push({ name: `${role} (session)`, role, person, via: 'session', headers: async () => ({ ...SAME_ORIGIN, cookie }) });
    }
  });
  afterAll(async () => {
    await t.app.close();
    rmSync(filesDir, { recursive: true, force: true });
  });

  async function fill(url: string, side: Side | 'missing'): Promise<{ url: string; values: string[] }> {
    const values: string[] = [];
    const parts = await Promise.all(
      url.split('/').map(async (seg) => {
        if (seg === '*') {
          const v = WILDCARDS[url];
          if (!v) throw new Error(`the matrix has no wildcard value for ${url}: add it to WILDCARDS`);
          return v;
        }
        if (!seg.startsWith(':')) return seg;
        const name = seg.slice(1);
        const ref = refs[name];
        if (!ref) throw new Error(`the matrix does not know the route parameter '${name}' (${url}): add it to refs`);
        const v = side === 'missing' ? (name === 'ticketRef' ? MISSING_TICKET : 'missing-0000') : await ref[side]();
        values.push(v);
        return encodeURIComponent(v);
      }),
    );
    return { url: parts.join('/'), values };
  }

  const entryOf = (method: string, url: string): Entry | undefined => EXPECTED[`${method} ${url}`] ?? (method === 'HEAD' ? EXPECTED[`GET ${url}`] : undefined);
  const mayCall = (e: Entry, p: Principal) => e.allow === 'public' || (p.role !== null && e.allow.includes(p.role));

  it('has an entry for every registered route, and every route declares exactly that access', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const r of t.app.escalonRoutes) {
      const key = `${r.method} ${r.url}`;
      const e = entryOf(r.method, r.url);
      if (EXPECTED[key]) seen.add(key);
      if (r.method === 'HEAD' && !EXPECTED[key]) {
        if (!t.app.escalonRoutes.some((g) => g.method === 'GET' && g.url === r.url)) problems.push(`${key}: a HEAD route without its GET`);
      }
      if (!e) {
        problems.push(`${key}: no entry in EXPECTED (add the route's intended access to the matrix)`);
        continue;
      }
      const declared = r.access === 'public' ? 'public' : r.access === 'authenticated' ? [...SIGNED] : [...r.access];
      const expected = e.allow === 'public' ? 'public' : [...e.allow];
      if (JSON.stringify(typeof declared === 'string' ? declared : declared.sort()) !== JSON.stringify(typeof expected === 'string' ? expected : expected.sort())) {
        problems.push(`${key}: declares ${JSON.stringify(r.access)}, the matrix expects ${JSON.stringify(e.allow)}`);
      }
    }
    for (const key of Object.keys(EXPECTED)) if (!seen.has(key)) problems.push(`${key}: in the matrix but not registered`);
    expect(problems).toEqual([]);
    expect(seen.size).toBe(Object.keys(EXPECTED).length);
  });

  it('every route × every principal × own/other organization', async () => {
    const failures: string[] = [];
    let requests = 0;
    let ip = 0;
    const routes = t.app.escalonRoutes;
    for (const route of routes) {
      const entry = entryOf(route.method, route.url);
      if (!entry) continue; // reported by the test above
      const key = `${route.method} ${route.url}`;
      const sampleOf = SAMPLE_BODIES[key];
      if (['POST', 'PATCH', 'PUT'].includes(route.method) && !sampleOf) {
        failures.push(`${key}: no sample body in SAMPLE_BODIES`);
        continue;
      }
      const sides: Side[] = route.url.includes('/:') ? ['own', 'other'] : ['own'];
      for (const side of sides) {
        const statusBy = new Map<string, number>();
        for (const p of principals) {
          const { url, values } = await fill(route.url, side);
          // Signing out ends the session that sends it: a session of its own for that route.
          const headers = route.url === '/api/v1/auth/logout' && p.via === 'session' && p.person ? { ...SAME_ORIGIN, cookie: await sessionOf(p.person) } : await p.headers();
          const sample = sampleOf?.(t);
          const send = async (to: string) =>
            t.app.inject({
              method: route.method as 'GET',
              url: to,
              headers: { ...headers, ...(sample?.payload !== undefined && { 'content-type': sample.type ?? 'application/json' }) },
              // Per-address limits of public routes (sign-in, web form) are not what is measured here.
              remoteAddress: `127.0.${Math.floor(++ip / 250) % 250}.${(ip % 250) + 1}`,
              ...(sample?.payload !== undefined && { payload: sample.payload }),
            });
          const res = await send(url);
          requests++;
          statusBy.set(p.name, res.statusCode);
          const where = `${key} as ${p.name} (${side}) → ${res.statusCode} ${res.body.slice(0, 200)}`;
          if (res.statusCode >= 500) failures.push(`server error: ${where}`);
          if (/\$argon2|password_hash|"digest"|"secret_hash"/.test(res.body)) failures.push(`secret in response: ${where}`);
          const code = route.method === 'HEAD' || res.statusCode < 400 || !res.body.startsWith('{') ? null : (res.json<{ error?: { code?: string } }>().error?.code ?? null);
          if (!mayCall(entry, p)) {
            const expected = p.role === null ? 401 : 403;
            const expectedCode = p.role === null ? 'UNAUTHENTICATED' : 'FORBIDDEN';
            if (res.statusCode !== expected || (route.method !== 'HEAD' && code !== expectedCode)) failures.push(`expected ${expected} ${expectedCode}: ${where}`);
            continue;
          }
          if (res.statusCode === 401 || res.statusCode === 403) {
            const allowedRefusal = entry.refuses?.[p.role ?? 'anonymous'];
            if (!(allowedRefusal && (route.method === 'HEAD' || code === allowedRefusal))) failures.push(`allowed principal refused: ${where}`);
          }
          if (p.role !== 'customer') continue;
          if (res.body.includes(INTERNAL) || res.body.includes('"internal":true')) failures.push(`internal content leaked to a customer: ${where}`);
          if (res.body.includes(OTHER_ORG) || (side === 'own' && (res.body.includes(`"${otherKey}"`) || res.body.includes(otherId)))) failures.push(`another organization leaked to a customer: ${where}`);
          if (side === 'other' && /\/:(ticketRef|orgId|attachmentId)/.test(route.url)) {
            if (res.statusCode < 400) failures.push(`another organization's resource is served to a customer: ${where}`);
            const missing = await fill(route.url, 'missing');
            const res2 = await send(missing.url);
            requests++;
            const norm = (body: string, vals: string[]) => vals.reduce((b, v) => b.split(v).join('<ref>'), body);
            if (res.statusCode !== res2.statusCode || norm(res.body, values) !== norm(res2.body, missing.values)) {
              failures.push(`another organization's resource answers unlike a missing one: ${where} vs ${res2.statusCode} ${res2.body.slice(0, 200)}`);
            }
          }
        }
        // The first admin's DELETE removes the override the PUTs saved; the second finds none.
        if (key === 'DELETE /api/v1/templates/:name') continue;
        for (const [role] of ROLE_PEOPLE) {
          const byToken = statusBy.get(`${role} (token)`);
          const bySession = statusBy.get(`${role} (session)`);
          if (byToken !== bySession) failures.push(`${key} (${side}): ${role} gets ${byToken} with a token but ${bySession} with a session`);
        }
      }
    }
    expect(failures).toEqual([]);
    // 11 principals over every route and side (plus the missing-resource twins).
    expect(requests).toBeGreaterThan(routes.length * principals.length);
    console.log(`[authorization matrix] ${routes.length} routes × ${principals.length} principals: ${requests} requests`);
  });

  it('GET /api/v1/stream: anonymous refused, every role admitted by token and by session', async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const got: Record<string, number> = {};
    for (const p of principals) {
      const controller = new AbortController();
      const res = await fetch(`${base}/api/v1/stream`, { headers: { ...(await p.headers()), host: new URL(base).host, accept: 'text/event-stream' }, signal: controller.signal });
      got[p.name] = res.status;
      if (res.status === 200) expect(res.headers.get('content-type')).toContain('text/event-stream');
      controller.abort();
      await res.body?.cancel().catch(() => undefined);
    }
    expect(got).toEqual(Object.fromEntries(principals.map((p) => [p.name, p.role === null ? 401 : 200])));

    /** Opens the stream; `next()` resolves with the keys of the next `tickets` event. */
    const open = async (headers: Record<string, string>) => {
      const controller = new AbortController();
      const res = await fetch(`${base}/api/v1/stream`, { headers: { ...headers, host: new URL(base).host, accept: 'text/event-stream' }, signal: controller.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      const next = async (): Promise<string[]> => {
        for (;;) {
          const m = /event: tickets\ndata: (.*)\n\n/.exec(buffer);
          if (m) {
            buffer = buffer.slice((m.index ?? 0) + m[0].length);
            return (JSON.parse(m[1] ?? '{}') as { keys: string[] }).keys;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          buffer += decoder.decode(value, { stream: true });
        }
      };
      return { next, close: () => controller.abort() };
    };
    const byName = (n: string) => principals.find((p) => p.name === n)!;
    const custToken = await open(await byName('customer (token)').headers());
    const custSession = await open(await byName('customer (session)').headers());
    const staff = await open(await byName('agent (session)').headers());
    // Another organization's ticket changes first (a new comment), then the customer's own.
    await addComment(t.deps, t.cast.actors.agent, otherKey, { body: 'a change on the other organization', public: true });
    await new Promise((r) => setTimeout(r, 400)); // past the stream's 150 ms gathering window
    await addComment(t.deps, t.cast.actors.agent, ownKey, { body: 'a change on the own organization', public: true });
    // The customer's first message names only their own ticket: the other change never reached them.
    expect(await custToken.next()).toEqual([ownKey]);
    expect(await custSession.next()).toEqual([ownKey]);
    // Staff heard of both, in order (the control: the other change did happen and was streamed).
    expect(await staff.next()).toEqual([otherKey]);
    expect(await staff.next()).toEqual([ownKey]);
    // A ticket created in the other organization: still nothing for the customer.
    const created = await createTicket(t.deps, t.cast.actors.customerB, { subject: `${OTHER_ORG} new`, body: 'b' });
    expect(await staff.next()).toEqual([created.ticket.key]);
    await addComment(t.deps, t.cast.actors.agent, ownKey, { body: 'again', public: true });
    expect(await custToken.next()).toEqual([ownKey]);
    for (const s of [custToken, custSession, staff]) s.close();
  });
});
