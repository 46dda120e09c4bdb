/**
 * The HTTP edge (issue 12, findings 2, 3, 8, 12): forged cookie-authenticated requests are
 * refused (content type × kind of authentication; the Origin / Sec-Fetch-Site matrix), JSON
 * nesting is bounded, each route has its body limit, every answer carries the security
 * headers, the session cookie is Secure behind TLS, and unreadable HTTP on a raw socket is
 * answered in the documented error shape. The browser side is csrf-browser.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/app/create-token.ts';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import { buildApp, type HttpOptions } from '../../src/http/build-app.ts';
import { API_CSP, jsonTooDeepAt, MAX_JSON_DEPTH, PAGE_CSP, SMALL_BODY_LIMIT } from '../../src/http/edge.ts';
import { diskByteStore } from '../../src/store/byte-store.ts';
import type { Store } from '../../src/store/connect.ts';
import { describeStores } from '../helpers/db.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

const PASSWORD = 'correct horse battery';
const BODY_LIMIT = 256 * 1024;
const REFERENCE_POLICY = readFileSync(new URL('../../policies/reference.policy.yaml', import.meta.url), 'utf8');

type Who = keyof Cast['actors'];
interface EdgeApp {
  app: FastifyInstance;
  cast: Cast;
  bearer(who: Who): { authorization: string };
  /** A fresh session cookie of `who` (signed in over the API). */
  session(who: Who, headers?: Record<string, string>): Promise<string>;
}

const filesDir = mkdtempSync(join(tmpdir(), 'escalon-edge-'));
afterAll(() => rmSync(filesDir, { recursive: true, force: true }));

async function edgeApp(store: Store, http: Partial<HttpOptions> = {}): Promise<EdgeApp> {
  const deps = { ...depsFor(store), files: diskByteStore(filesDir), attachmentLimit: 1024 * 1024 };
  const cast = await makeCast(deps, PASSWORD);
  const app = await buildApp({ ...deps, http: { bodyLimit: BODY_LIMIT, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false, ...http } });
  const tokens = new Map<Who, string>();
  for (const who of Object.keys(cast.actors) as Who[]) tokens.set(who, (await createToken(deps, { user: { id: cast.actors[who].userId }, name: `edge ${who}` })).secret);
  return {
    app,
    cast,
    bearer: (who) => ({ authorization: `Bearer ${tokens.get(who) ?? ''}` }),
    session: async (who, headers = {}) => {
      const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload: { email: cast.actors[who].email, password: PASSWORD } });
      expect(r.statusCode, r.body).toBe(200);
      const c = r.cookies.find((x) => x.name === 'escalon_session');
      if (!c) throw new Error('no session cookie');
      return c.value;
    },
  };
}

function code(r: LightMyRequestResponse): string | null {
  try {
    return (r.json() as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}

/** The documented error shape with a catalogued code. */
function expectDocumented(r: LightMyRequestResponse, status: number, errorCode: string): void {
  expect(r.statusCode, r.body).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const body = r.json() as { error: { code: string; message: string; details: unknown } };
  expect(body.error.code).toBe(errorCode);
  expect(ERROR_CODES).toContain(body.error.code);
  expect(body.error.message.length).toBeGreaterThan(10);
  expect(body.error.details).toBeTypeOf('object');
}

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describeStores('HTTP edge', (ctx) => {
  let t: EdgeApp;
  let key = '';
  let leadCookie = '';
  const HOST = 'escalon.test:8080';
  const ORIGIN = `http://${HOST}`;

  beforeAll(async () => {
    t = await edgeApp(ctx.store);
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.bearer('customerA'), payload: { subject: 'Printer on fire', body: 'It smokes.' } });
    key = r.json<{ key: string }>().key;
    leadCookie = await t.session('lead');
  });
  afterAll(async () => {
    await t.app.close();
  });

  const notes = async (): Promise<string[]> => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/comments`, headers: t.bearer('admin') });
    return r.json<{ items: Array<{ body: string }> }>().items.map((c) => c.body);
  };
  const addNote = (body: string, headers: Record<string, string>, payload?: string, cookie = leadCookie) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${key}/comments`,
      headers: { host: HOST, ...headers },
      cookies: cookie ? { escalon_session: cookie } : {},
      payload: payload ?? JSON.stringify({ body, public: false }),
    });

  describe('content types × kinds of authentication', () => {
    const cases: Array<[string, Record<string, string>, (body: string) => string]> = [
      ['text/plain (a form with enctype=text/plain)', { 'content-type': 'text/plain' }, (b) => JSON.stringify({ body: b, public: false })],
      ['application/x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }, (b) => `body=${encodeURIComponent(b)}&public=false`],
      ['multipart/form-data on a JSON route', { 'content-type': 'multipart/form-data; boundary=x' }, (b) => `--x\r\nContent-Disposition: form-data; name="body"\r\n\r\n${b}\r\n--x--\r\n`],
      ['text/yaml on a JSON route', { 'content-type': 'text/yaml' }, (b) => `body: ${b}\npublic: false\n`],
      ['Application/JSON; charset=utf-8 (case and parameters)', { 'content-type': 'Application/JSON; charset=utf-8' }, (b) => JSON.stringify({ body: b, public: false })],
    ];
    for (const [name, headers, payload] of cases) {
      const allowed = name.startsWith('Application/JSON');
      it(`session cookie, ${name} → ${allowed ? '201' : '415, nothing written'}`, async () => {
        const body = `cookie ${name}`;
        const r = await addNote(body, headers, payload(body));
        if (allowed) expect(r.statusCode, r.body).toBe(201);
        else {
          expectDocumented(r, 415, 'UNSUPPORTED_MEDIA_TYPE');
          expect((r.json() as { error: { details: { accepted: string[] } } }).error.details.accepted).toEqual(['application/json']);
        }
        expect((await notes()).includes(body)).toBe(allowed);
      });
    }

    it('a bearer token is unaffected: same bodies reach the route (its own parser and schema decide)', async () => {
      const out: Record<string, [number, string | null]> = {};
      for (const [name, headers, payload] of cases) {
        const r = await addNote(`bearer ${name}`, { ...headers, ...t.bearer('lead'), 'sec-fetch-site': 'cross-site', origin: 'http://elsewhere.example' }, payload(`bearer ${name}`), '');
        out[name] = [r.statusCode, code(r)];
        expect(code(r)).not.toBe('CSRF_REJECTED');
      }
      expect(out).toEqual({
        'text/plain (a form with enctype=text/plain)': [400, 'VALIDATION_FAILED'],
        'application/x-www-form-urlencoded': [415, 'UNSUPPORTED_MEDIA_TYPE'],
        'multipart/form-data on a JSON route': [400, 'VALIDATION_FAILED'],
        'text/yaml on a JSON route': [415, 'UNSUPPORTED_MEDIA_TYPE'],
        'Application/JSON; charset=utf-8 (case and parameters)': [201, null],
      });
    });

    it('the policy document: YAML with the cookie, text/plain only with a token', async () => {
      const manager = await t.session('manager');
      const plan = (headers: Record<string, string>, cookie: string | null) =>
        t.app.inject({ method: 'POST', url: '/api/v1/policy/plan', headers: { host: HOST, ...headers }, cookies: cookie ? { escalon_session: cookie } : {}, payload: REFERENCE_POLICY });
      expect((await plan({ 'content-type': 'text/yaml', origin: ORIGIN, 'sec-fetch-site': 'same-origin' }, manager)).statusCode).toBe(200);
      expect((await plan({ 'content-type': 'application/yaml' }, manager)).statusCode).toBe(200);
      const plain = await plan({ 'content-type': 'text/plain' }, manager);
      expectDocumented(plain, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect((plain.json() as { error: { details: { accepted: string[] } } }).error.details.accepted).toContain('text/yaml');
      expect((await plan({ 'content-type': 'text/plain', ...t.bearer('manager') }, null)).statusCode).toBe(200);
      expectDocumented(await plan({ 'content-type': 'text/yaml', 'sec-fetch-site': 'same-site' }, manager), 403, 'CSRF_REJECTED');
    });

    it('uploads: multipart with the cookie from the console; refused from another origin on the site', async () => {
      const customer = await t.session('customerA');
      const upload = (headers: Record<string, string>) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/attachments',
          headers: { host: HOST, 'content-type': 'multipart/form-data; boundary=b0undary', ...headers },
          cookies: { escalon_session: customer },
          payload: '--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b0undary--\r\n',
        });
      expect((await upload({ origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
      expectDocumented(await upload({ origin: 'http://escalon.test:9000', 'sec-fetch-site': 'same-site' }), 403, 'CSRF_REJECTED');
    });
  });

  describe('Origin and Sec-Fetch-Site with the session cookie', () => {
    const matrix: Array<[Record<string, string>, boolean]> = [
      [{}, true],
      [{ 'sec-fetch-site': 'same-origin' }, true],
      [{ 'sec-fetch-site': 'none' }, true],
      [{ origin: ORIGIN }, true],
      [{ origin: ORIGIN, 'sec-fetch-site': 'same-origin' }, true],
      [{ 'sec-fetch-site': 'same-site' }, false],
      [{ 'sec-fetch-site': 'cross-site' }, false],
      [{ origin: 'http://escalon.test:9999' }, false],
      [{ origin: 'http://app.escalon.test:8080' }, false],
      [{ origin: 'https://escalon.test:8080' }, false],
      [{ origin: 'http://evil.example' }, false],
      [{ origin: 'null' }, false],
      [{ origin: ORIGIN, 'sec-fetch-site': 'same-site' }, false],
      [{ origin: ORIGIN, 'sec-fetch-site': 'cross-site' }, false],
    ];
    for (const [headers, passes] of matrix) {
      it(`${JSON.stringify(headers)} → ${passes ? 'accepted' : '403 CSRF_REJECTED, nothing written'}`, async () => {
        const body = `matrix ${JSON.stringify(headers)}`;
        const r = await addNote(body, { 'content-type': 'application/json', ...headers });
        if (passes) expect(r.statusCode, r.body).toBe(201);
        else expectDocumented(r, 403, 'CSRF_REJECTED');
        expect((await notes()).includes(body)).toBe(passes);
      });
    }

    it('requests without a body are checked too: acknowledge and sign-out from another origin are refused, the session lives on', async () => {
      const cookie = await t.session('lead');
      const ack = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: `/api/v1/tickets/${key}/acknowledge`, headers: { host: HOST, ...headers }, cookies: { escalon_session: cookie } });
      expectDocumented(await ack({ 'sec-fetch-site': 'same-site' }), 403, 'CSRF_REJECTED');
      expectDocumented(await ack({ origin: 'http://escalon.test:3000' }), 403, 'CSRF_REJECTED');
      expectDocumented(await ack({ 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      // Through the check, the route itself answers (no escalation waits here).
      expect(code(await ack({ origin: ORIGIN, 'sec-fetch-site': 'same-origin' }))).not.toMatch(/^(CSRF_REJECTED|UNSUPPORTED_MEDIA_TYPE)$/);

      const logout = (headers: Record<string, string>, payload?: string) =>
        t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { host: HOST, ...headers }, cookies: { escalon_session: cookie }, ...(payload !== undefined && { payload }) });
      const me = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { escalon_session: cookie } })).statusCode;
      expectDocumented(await logout({ 'sec-fetch-site': 'cross-site' }), 403, 'CSRF_REJECTED');
      expectDocumented(await logout({ 'sec-fetch-site': 'same-site' }), 403, 'CSRF_REJECTED');
      expectDocumented(await logout({ origin: 'http://escalon.test:9999' }), 403, 'CSRF_REJECTED');
      expectDocumented(await logout({ 'content-type': 'application/x-www-form-urlencoded' }, 'x=1'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectDocumented(await logout({ 'content-type': 'text/plain' }, ''), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await me()).toBe(200);
      expect((await logout({ origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(204);
      expect(await me()).toBe(401);
    });

    it('a bearer token is not checked (a page cannot make the browser send one)', async () => {
      const r = await addNote('bearer cross-site', { 'content-type': 'application/json', ...t.bearer('lead'), 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' }, undefined, '');
      expect(r.statusCode, r.body).toBe(201);
      // With both, the token is who acts (the cookie is ignored), so the request is not a forgery either.
      const both = await addNote('bearer and cookie', { 'content-type': 'application/json', ...t.bearer('lead'), 'sec-fetch-site': 'cross-site' });
      expect(both.statusCode, both.body).toBe(201);
    });

    it('sign-in from another page is refused (login CSRF); API clients and the console sign in', async () => {
      const login = (headers: Record<string, string>) =>
        t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { host: HOST, ...headers }, payload: { email: t.cast.actors.agent.email, password: PASSWORD } });
      expectDocumented(await login({ 'sec-fetch-site': 'cross-site' }), 403, 'CSRF_REJECTED');
      expectDocumented(await login({ 'sec-fetch-site': 'same-site' }), 403, 'CSRF_REJECTED');
      expectDocumented(await login({ origin: 'http://evil.example' }), 403, 'CSRF_REJECTED');
      expect((await login({})).statusCode).toBe(200);
      expect((await login({ origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    });

    it('public routes that act for nobody are not checked (plain HTML forms and providers post them)', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/intake/web',
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', origin: 'http://www.customer.example' },
        cookies: { escalon_session: leadCookie },
        payload: `name=Pat&email=${encodeURIComponent(t.cast.actors.customerA.email)}&subject=Hi&body=Hello`,
      });
      expect(code(r)).not.toBe('CSRF_REJECTED');
      expect(r.statusCode).toBeLessThan(500);
    });
  });

  describe('JSON nesting', () => {
    it('5,000 levels deep → 400 MALFORMED_REQUEST (documented), not a stack overflow, and the server answers on', async () => {
      for (const payload of [nested(5000), `{"subject":"s","body":"b","tags":${nested(5000)}}`, `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`]) {
        const r = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { ...t.bearer('customerA'), 'content-type': 'application/json' }, payload });
        expectDocumented(r, 400, 'MALFORMED_REQUEST');
        expect((r.json() as { error: { details: { max_depth: number } } }).error.details.max_depth).toBe(MAX_JSON_DEPTH);
      }
      const policy = await t.app.inject({ method: 'POST', url: '/api/v1/policy/plan', headers: { ...t.bearer('manager'), 'content-type': 'application/json' }, payload: `{"levels":${nested(5000)}}` });
      expectDocumented(policy, 400, 'MALFORMED_REQUEST');
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });

    it(`${MAX_JSON_DEPTH} levels are read (the schema then decides); ${MAX_JSON_DEPTH + 1} are not; brackets inside strings do not count`, async () => {
      const post = (payload: string) => t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { ...t.bearer('customerA'), 'content-type': 'application/json' }, payload });
      expectDocumented(await post(`{"subject":"s","body":"b","tags":${nested(MAX_JSON_DEPTH - 1, '"x"')}}`), 400, 'VALIDATION_FAILED');
      expectDocumented(await post(`{"subject":"s","body":"b","tags":${nested(MAX_JSON_DEPTH, '"x"')}}`), 400, 'MALFORMED_REQUEST');
      const ok = await post(JSON.stringify({ subject: '[[[{{{', body: `${'['.repeat(6000)} \\" ${'{'.repeat(6000)}` }));
      expect(ok.statusCode, ok.body).toBe(201);
    });

    it('jsonTooDeepAt: escapes and strings', () => {
      expect(jsonTooDeepAt('{"a":"\\"[[["}', 1)).toBeNull();
      expect(jsonTooDeepAt('[[1],[2]]', 2)).toBeNull();
      expect(jsonTooDeepAt('[[[1]]]', 2)).toBe(2);
      expect(jsonTooDeepAt('"\\\\"[[', 1)).toBe(5);
    });
  });

  describe('body limits per route', () => {
    const big = (n: number) => 'x'.repeat(n);
    it(`a route without long texts takes ${SMALL_BODY_LIMIT / 1024} KiB`, async () => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', headers: t.bearer('admin'), payload: { name: big(SMALL_BODY_LIMIT), tier: 'standard' } });
      expectDocumented(r, 413, 'PAYLOAD_TOO_LARGE');
      expect((r.json() as { error: { details: { limit: number }; message: string } }).error.details.limit).toBe(SMALL_BODY_LIMIT);
      expect(r.json<{ error: { message: string } }>().error.message).toContain(String(SMALL_BODY_LIMIT));
      const ack = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${key}/acknowledge`, headers: t.bearer('lead'), payload: { pad: big(SMALL_BODY_LIMIT) } });
      expectDocumented(ack, 413, 'PAYLOAD_TOO_LARGE');
    });
    it('texts and policy documents may use ESCALON_BODY_LIMIT, and no more', async () => {
      const ticket = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.bearer('customerA'), payload: { subject: 'long', body: big(99_000) } });
      expect(ticket.statusCode, ticket.body).toBe(201);
      const note = await t.app.inject({ method: 'POST', url: `/api/v1/tickets/${key}/comments`, headers: t.bearer('lead'), payload: { body: big(99_000), public: false } });
      expect(note.statusCode).toBe(201);
      const doc = `${REFERENCE_POLICY}\n${Array.from({ length: 2000 }, (_, i) => `# padding line ${i} ${big(60)}`).join('\n')}\n`;
      expect(doc.length).toBeGreaterThan(SMALL_BODY_LIMIT * 2);
      expect(doc.length).toBeLessThan(BODY_LIMIT);
      const plan = await t.app.inject({ method: 'POST', url: '/api/v1/policy/plan', headers: { ...t.bearer('manager'), 'content-type': 'text/yaml' }, payload: doc });
      expect(plan.statusCode, plan.body.slice(0, 300)).toBe(200);
      const over = await t.app.inject({ method: 'POST', url: '/api/v1/policy/plan', headers: { ...t.bearer('manager'), 'content-type': 'text/yaml' }, payload: `${doc}${big(BODY_LIMIT)}` });
      expectDocumented(over, 413, 'PAYLOAD_TOO_LARGE');
      expect((over.json() as { error: { details: { limit: number } } }).error.details.limit).toBe(BODY_LIMIT);
    });
    it('uploads stream under their own limit, not the body limits', async () => {
      const file = 'y'.repeat(BODY_LIMIT + 50_000);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/attachments',
        headers: { ...t.bearer('customerA'), 'content-type': 'multipart/form-data; boundary=zz' },
        payload: `--zz\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n${file}\r\n--zz--\r\n`,
      });
      expect(r.statusCode, r.body.slice(0, 300)).toBe(201);
      expect(r.json<{ items: Array<{ size: number }> }>().items[0]?.size).toBe(file.length);
    });
  });

  describe('security headers on every answer', () => {
    const paths: Array<[string, Record<string, string>, 'page' | 'api']> = [
      ['/', {}, 'page'],
      ['/portal', {}, 'page'],
      ['/tickets/ESC-1', {}, 'page'],
      ['/docs/static/index.html', {}, 'page'],
      ['/api/v1/me', {}, 'api'],
      ['/api/v1/tickets', {}, 'api'],
      ['/api/v1/nope', {}, 'api'],
      ['/api/v1/tickets/%E0%A4%A', {}, 'api'],
      ['/healthz', {}, 'api'],
      ['/api/v1/docs-missing', {}, 'api'],
    ];
    for (const [path, headers, kind] of paths) {
      it(`GET ${path}: CSP (${kind}), frame-ancestors, X-Frame-Options, nosniff, Referrer-Policy`, async () => {
        const r = await t.app.inject({ method: 'GET', url: path, headers: { ...t.bearer('agent'), ...headers } });
        expect(r.headers['content-security-policy']).toBe(kind === 'page' ? PAGE_CSP : API_CSP);
        expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(r.headers['x-frame-options']).toBe('DENY');
        expect(r.headers['x-content-type-options']).toBe('nosniff');
        expect(r.headers['referrer-policy']).toBe('no-referrer');
        expect(r.headers['strict-transport-security']).toBeUndefined(); // plain HTTP here
      });
    }
    it("a page's CSP allows no inline script and no foreign source", () => {
      const scripts = PAGE_CSP.split('; ').find((d) => d.startsWith('script-src '));
      expect(scripts).toBe("script-src 'self'");
      expect(PAGE_CSP).not.toMatch(/\*|https?:/);
    });
    it('GET /docs (redirect) and an error answer carry them too; the attachment download keeps its sandbox', async () => {
      const docs = await t.app.inject({ method: 'GET', url: '/docs' });
      expect(docs.headers['x-frame-options']).toBe('DENY');
      const bad = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: { ...t.bearer('customerA'), 'content-type': 'application/json' }, payload: '{"subject":' });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-security-policy']).toBe(API_CSP);
      const up = await t.app.inject({
        method: 'POST',
        url: '/api/v1/attachments',
        headers: { ...t.bearer('customerA'), 'content-type': 'multipart/form-data; boundary=zz' },
        payload: '--zz\r\nContent-Disposition: form-data; name="file"; filename="a.html"\r\n\r\n<script>alert(1)</script>\r\n--zz--\r\n',
      });
      const id = up.json<{ items: Array<{ id: string }> }>().items[0]?.id;
      const dl = await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${id}`, headers: t.bearer('customerA') });
      expect(dl.statusCode).toBe(200);
      expect(dl.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      expect(dl.headers['x-frame-options']).toBe('DENY');
    });
  });

  describe('behind TLS: Secure cookie, HSTS, trust proxy', () => {
    const login = async (a: EdgeApp, headers: Record<string, string> = {}) => {
      const r = await a.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload: { email: a.cast.actors.agent.email, password: PASSWORD } });
      expect(r.statusCode).toBe(200);
      return { cookie: r.cookies.find((c) => c.name === 'escalon_session'), all: r.cookies, hsts: r.headers['strict-transport-security'] };
    };

    it('plain HTTP, no proxy trusted: no Secure, no HSTS, and X-Forwarded-Proto is not believed', async () => {
      expect((await login(t)).cookie?.secure).toBeFalsy();
      const forged = await login(t, { 'x-forwarded-proto': 'https' });
      expect(forged.cookie?.secure).toBeFalsy();
      expect(forged.hsts).toBeUndefined();
    });

    it('ESCALON_PUBLIC_URL=https://…: the cookie is Secure, HSTS is sent, and only that origin may send changes', async () => {
      const c = loadConfig({ ESCALON_PUBLIC_URL: 'https://escalon.example.com/' });
      expect(c.http).toMatchObject({ secureCookies: true, publicOrigin: 'https://escalon.example.com', trustProxy: false });
      const a = await edgeApp(ctx.store, { secureCookies: c.http.secureCookies, publicOrigin: c.http.publicOrigin, hstsMaxAge: c.http.hstsMaxAge });
      try {
        const { cookie, hsts } = await login(a, { host: 'internal:8080' });
        expect(cookie?.secure).toBe(true);
        expect(cookie?.httpOnly).toBe(true);
        expect(cookie?.sameSite).toBe('Lax');
        expect(hsts).toBe('max-age=31536000');
        const ticket = await a.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: a.bearer('customerA'), payload: { subject: 's', body: 'b' } });
        const tk = ticket.json<{ key: string }>().key;
        const lead = await a.session('lead');
        const note = (origin: string) =>
          a.app.inject({ method: 'POST', url: `/api/v1/tickets/${tk}/comments`, headers: { host: 'internal:8080', origin }, cookies: { escalon_session: lead }, payload: { body: `from ${origin}`, public: false } });
        expect((await note('https://escalon.example.com')).statusCode).toBe(201);
        expectDocumented(await note('http://internal:8080'), 403, 'CSRF_REJECTED');
      } finally {
        await a.app.close();
      }
    });

    it('ESCALON_TRUST_PROXY: X-Forwarded-Proto/-Host from a trusted proxy make the cookie Secure, send HSTS and define the origin', async () => {
      expect(loadConfig({}).http).toMatchObject({ trustProxy: false, publicOrigin: undefined, secureCookies: false, hstsMaxAge: 31_536_000 });
      expect(loadConfig({ ESCALON_TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
      expect(loadConfig({ ESCALON_TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
      expect(loadConfig({ ESCALON_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toBe('10.0.0.0/8,127.0.0.1');
      expect(() => loadConfig({ ESCALON_TRUST_PROXY: 'maybe' })).toThrow(ConfigError);
      const c = loadConfig({ ESCALON_TRUST_PROXY: '127.0.0.1' });
      const a = await edgeApp(ctx.store, { trustProxy: c.http.trustProxy });
      try {
        const proxied = { host: 'internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'escalon.example.com' };
        const { cookie, hsts, all } = await login(a, proxied);
        expect(cookie?.secure).toBe(true);
        // Every cookie of the answer, once each, Secure.
        expect(all.length).toBeGreaterThan(0);
        expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
        expect(all.every((c) => c.secure === true)).toBe(true);
        expect(hsts).toBe('max-age=31536000');
        const direct = await login(a, { host: 'internal:8080' });
        expect(direct.cookie?.secure).toBeFalsy();
        const ticket = await a.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: a.bearer('customerA'), payload: { subject: 's', body: 'b' } });
        const tk = ticket.json<{ key: string }>().key;
        const lead = await a.session('lead');
        const note = (headers: Record<string, string>) =>
          a.app.inject({ method: 'POST', url: `/api/v1/tickets/${tk}/comments`, headers, cookies: { escalon_session: lead }, payload: { body: `note ${JSON.stringify(headers)}`, public: false } });
        expect((await note({ ...proxied, origin: 'https://escalon.example.com' })).statusCode).toBe(201);
        expectDocumented(await note({ ...proxied, origin: 'http://escalon.example.com' }), 403, 'CSRF_REJECTED');
      } finally {
        await a.app.close();
      }
    });

    it('ESCALON_HSTS_MAX_AGE=0 sends no HSTS', async () => {
      const a = await edgeApp(ctx.store, { publicOrigin: 'https://escalon.example.com', hstsMaxAge: loadConfig({ ESCALON_HSTS_MAX_AGE: '0' }).http.hstsMaxAge });
      try {
        expect((await a.app.inject({ method: 'GET', url: '/healthz' })).headers['strict-transport-security']).toBeUndefined();
      } finally {
        await a.app.close();
      }
    });
  });

  describe('unreadable HTTP on a raw socket gets the documented shape', () => {
    let port = 0;
    beforeAll(async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = (t.app.server.address() as { port: number }).port;
    });

    function raw(data: string): Promise<{ status: number; headers: string; body: string }> {
      return new Promise((resolve, reject) => {
        const s = connect(port, '127.0.0.1');
        let out = '';
        const timer = setTimeout(() => s.destroy(), 5000);
        s.on('data', (d) => (out += d.toString('utf8')));
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          const [head = '', ...rest] = out.split('\r\n\r\n');
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
          if (!status) reject(new Error(`no HTTP answer: ${JSON.stringify(out.slice(0, 200))}`));
          resolve({ status, headers: head.toLowerCase(), body: rest.join('\r\n\r\n') });
        });
        s.write(data);
      });
    }

    const cases: Array<[string, string, number, string]> = [
      ['garbage request line', 'GARBAGE\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      ['a header line without a colon', 'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      ['a control character in a header', 'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      ['headers over the size limit', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
      ['Content-Length that is not a number', 'POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      ['Content-Length and Transfer-Encoding (smuggling)', 'POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      ['HTTP/1.1 without Host', 'GET /api/v1/me HTTP/1.1\r\nConnection: close\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      ['bad percent-encoding in the path', 'GET /api/v1/tickets/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      ['bad percent-encoding at the root', 'GET /%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      ['bad JSON', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"a":', 400, 'MALFORMED_REQUEST'],
      ['JSON 5,000 deep', `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\nConnection: close\r\n\r\n${nested(5000, '').slice(0, 10_000)}`, 400, 'MALFORMED_REQUEST'],
      ['an unknown media type', 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-evil\r\nContent-Length: 2\r\nConnection: close\r\n\r\nxx', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [name, data, status, errorCode] of cases) {
      it(`${name} → ${status} ${errorCode}`, async () => {
        const r = await raw(data);
        expect(r.status, r.body).toBe(status);
        expect(r.headers).toMatch(/content-type: application\/json/);
        expect(r.headers).toMatch(/x-content-type-options: nosniff/);
        expect(r.headers).toMatch(/content-security-policy: default-src 'none'/);
        const body = JSON.parse(r.body) as { error: { code: string; message: string; details: unknown } };
        expect(Object.keys(body)).toEqual(['error']);
        expect(body.error.code).toBe(errorCode);
        expect(ERROR_CODES).toContain(body.error.code);
        expect(body.error.message.length).toBeGreaterThan(10);
        expect(body.error.details).toBeTypeOf('object');
      });
    }
    it('the server answers on after all of them', async () => {
      const r = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(r.status).toBe(200);
    });
  });
});
