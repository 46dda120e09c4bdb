// The server logs one line per request, with its outcome, and never a link's secret token.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/build-app.ts';
import { openStore, type Store } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { depsFor, makeCast } from '../helpers/fixtures.ts';

let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

describe('request log', () => {
  it('writes one line per request, the path without its query, and a token path as its pattern', async () => {
    store = openStore('sqlite::memory:');
    await migrateToLatest(store);
    const deps = depsFor(store);
    await makeCast(deps);
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const app = await buildApp({ ...deps, http: { bodyLimit: 65536, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false, logger: { level: 'info', stream } } });
    await app.inject({ method: 'GET', url: '/healthz?probe=1' });
    await app.inject({ method: 'GET', url: '/api/v1/csat/secret-token-abc' });
    await app.inject({ method: 'GET', url: '/api/v1/tickets' });
    await app.inject({ method: 'GET', url: '/no/such/route' });
    await app.close();
    const requests = lines.filter((l) => l.msg === 'request');
    expect(lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toEqual([]);
    expect(requests.map((l) => [l.method, l.url, l.status])).toEqual([
      ['GET', '/healthz', 200],
      ['GET', '/api/v1/csat/:token', (requests[1] as { status: number }).status],
      ['GET', '/api/v1/tickets', 401],
      ['GET', '/no/such/route', 404],
    ]);
    expect(lines).toHaveLength(requests.length);
    expect(JSON.stringify(lines)).not.toContain('secret-token-abc');
    expect(typeof requests[0]?.ms).toBe('number');
  });

  it('logs the client address: the socket peer, or behind a trusted proxy the X-Forwarded-For client', async () => {
    store = openStore('sqlite::memory:');
    await migrateToLatest(store);
    for (const [trustProxy, expected] of [
      [false, '127.0.0.1'],
      ['127.0.0.1', '203.0.113.7'],
    ] as const) {
      const lines: Array<Record<string, unknown>> = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
          done();
        },
      });
      const app = await buildApp({ ...depsFor(store), http: { bodyLimit: 65536, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false, trustProxy, logger: { level: 'info', stream } } });
      await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } });
      await app.close();
      expect(lines.filter((l) => l.msg === 'request').map((l) => l.ip)).toEqual([expected]);
    }
  });

  it.each([
    ['debug', 'info', 0],
    ['debug', 'debug', 2],
    ['info', 'info', 2],
    ['off', 'debug', 0],
  ] as const)('ESCALON_ACCESS_LOG=%s with log level %s writes %i request line(s)', async (accessLog, level, expected) => {
    store = openStore('sqlite::memory:');
    await migrateToLatest(store);
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const app = await buildApp({ ...depsFor(store), http: { bodyLimit: 65536, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false, accessLog, logger: { level, stream } } });
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/no/such/route' });
    await app.close();
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(expected);
    if (expected > 0) expect(requests[0]?.level).toBe(accessLog === 'debug' ? 20 : 30);
  });
});
