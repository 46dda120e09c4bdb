/** No malformed request may produce a 500: each gets a 4xx with the error shape and a stable code. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

describeStores('bad input', (ctx) => {
  let t: TestApp;
  let key = '';
  beforeAll(async () => {
    t = await makeTestApp(ctx.store, { bodyLimit: 16 * 1024, loginRateLimit: 3 });
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth('customerA'), payload: { subject: 's', body: 'b' } });
    key = r.json<{ key: string }>().key;
  });
  afterAll(async () => {
    await t.app.close();
  });

  const cases: Array<[string, () => { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: string | object; headers?: Record<string, string> }, number, string]> = [
    ['bad JSON', () => ({ method: 'POST', url: '/api/v1/tickets', payload: '{"subject": ', headers: { 'content-type': 'application/json' } }), 400, 'MALFORMED_REQUEST'],
    ['empty JSON body', () => ({ method: 'POST', url: '/api/v1/tickets', payload: '', headers: { 'content-type': 'application/json' } }), 400, 'MALFORMED_REQUEST'],
    ['wrong types', () => ({ method: 'POST', url: '/api/v1/tickets', payload: { subject: 42, body: ['x'] } }), 400, 'VALIDATION_FAILED'],
    ['unknown field', () => ({ method: 'POST', url: '/api/v1/tickets', payload: { subject: 's', body: 'b', version: 99 } }), 400, 'VALIDATION_FAILED'],
    ['mass assignment of status', () => ({ method: 'POST', url: '/api/v1/tickets', payload: { subject: 's', body: 'b', status: 'closed' } }), 400, 'VALIDATION_FAILED'],
    ['array instead of object', () => ({ method: 'POST', url: '/api/v1/tickets', payload: [1, 2] }), 400, 'VALIDATION_FAILED'],
    ['huge body', () => ({ method: 'POST', url: '/api/v1/tickets', payload: { subject: 's', body: 'x'.repeat(20_000) } }), 413, 'PAYLOAD_TOO_LARGE'],
    ['wrong media type', () => ({ method: 'POST', url: '/api/v1/tickets', payload: 'subject=s', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['prototype poisoning', () => ({ method: 'POST', url: '/api/v1/tickets', payload: '{"subject":"s","body":"b","__proto__":{"x":1}}', headers: { 'content-type': 'application/json' } }), 400, 'MALFORMED_REQUEST'],
    ['unknown ticket id', () => ({ method: 'GET', url: '/api/v1/tickets/not-an-id' }), 404, 'TICKET_NOT_FOUND'],
    ['huge ticket key number', () => ({ method: 'GET', url: '/api/v1/tickets/ESC-99999999999999999999' }), 404, 'TICKET_NOT_FOUND'],
    ['too long id', () => ({ method: 'GET', url: `/api/v1/tickets/${'a'.repeat(500)}` }), 400, 'MALFORMED_REQUEST'],
    ['id over the schema limit', () => ({ method: 'GET', url: `/api/v1/tickets/${'a'.repeat(80)}` }), 400, 'VALIDATION_FAILED'],
    ['bad percent-encoding', () => ({ method: 'GET', url: '/api/v1/tickets/%E0%A4%A' }), 400, 'MALFORMED_REQUEST'],
    ['weird id characters', () => ({ method: 'GET', url: "/api/v1/tickets/'%3B%20drop%20table%20tickets--" }), 404, 'TICKET_NOT_FOUND'],
    ['bad cursor', () => ({ method: 'GET', url: '/api/v1/tickets?cursor=%%%' }), 400, 'INVALID_CURSOR'],
    ['forged cursor', () => ({ method: 'GET', url: `/api/v1/tickets?cursor=${Buffer.from('{"a":1}').toString('base64url')}` }), 400, 'INVALID_CURSOR'],
    ['bad limit', () => ({ method: 'GET', url: '/api/v1/tickets?limit=-5' }), 400, 'VALIDATION_FAILED'],
    ['bad status filter', () => ({ method: 'GET', url: '/api/v1/tickets?status=open,bogus' }), 400, 'VALIDATION_FAILED'],
    ['unknown query parameter', () => ({ method: 'GET', url: '/api/v1/tickets?sort=evil' }), 400, 'VALIDATION_FAILED'],
    ['empty patch', () => ({ method: 'PATCH', url: `/api/v1/tickets/${key}`, payload: {} }), 400, 'VALIDATION_FAILED'],
    ['impact without urgency', () => ({ method: 'PATCH', url: `/api/v1/tickets/${key}`, payload: { impact: 1 } }), 400, 'VALIDATION_FAILED'],
    ['non-agent assignee', () => ({ method: 'PATCH', url: `/api/v1/tickets/${key}`, payload: { assignee_id: 'ghost' } }), 422, 'INVALID_ASSIGNEE'],
    ['stale version', () => ({ method: 'PATCH', url: `/api/v1/tickets/${key}`, payload: { priority: 'high', version: 999 } }), 409, 'VERSION_CONFLICT'],
    ['unknown route', () => ({ method: 'GET', url: '/api/v1/nope' }), 404, 'ROUTE_NOT_FOUND'],
    ['bad user email', () => ({ method: 'POST', url: '/api/v1/users', payload: { email: 'not-an-email', name: 'x', role: 'agent' } }), 400, 'VALIDATION_FAILED'],
    ['bad role', () => ({ method: 'POST', url: '/api/v1/users', payload: { email: 'a@b.co', name: 'x', role: 'root' } }), 400, 'VALIDATION_FAILED'],
    ['customer without org', () => ({ method: 'POST', url: '/api/v1/users', payload: { email: 'a@b.co', name: 'x', role: 'customer' } }), 400, 'VALIDATION_FAILED'],
    ['bad bearer token', () => ({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer esc_forged' } }), 401, 'UNAUTHENTICATED'],
    ['malformed authorization header', () => ({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic Zm9vOmJhcg==' } }), 401, 'UNAUTHENTICATED'],
  ];

  for (const [name, make, status, code] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const req = make();
      const res = await t.app.inject({ method: req.method, url: req.url, ...(req.payload !== undefined && { payload: req.payload }), headers: { ...t.auth('admin'), ...(req.headers ?? {}) } });
      expect(res.statusCode, res.body).toBe(status);
      const body = res.json<{ error: { code: string; message: string; details: unknown } }>();
      expect(body.error.code).toBe(code);
      expect(ERROR_CODES).toContain(body.error.code);
      expect(typeof body.error.message).toBe('string');
      expect(body.error.details).toBeTypeOf('object');
    });
  }

  it('rate limits sign-in attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'x@example.com', password: 'wrong' } });
      statuses.push(r.statusCode);
      if (r.statusCode === 429) expect(r.json().error.code).toBe('RATE_LIMITED');
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
