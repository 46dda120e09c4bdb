/** The console's static serving: page paths get index.html, hashed assets are cached, nothing escapes the root. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webRoutes } from '../../src/http/routes/web.ts';

describe('web routes', () => {
  let dir: string;
  let app: FastifyInstance;
  let bare: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'escalon-webroot-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
    app = Fastify();
    await app.register(webRoutes, { root: join(dir, 'dist') });
    bare = Fastify();
    await bare.register(webRoutes, { root: join(dir, 'nothing-built') });
  });
  afterAll(async () => {
    await app.close();
    await bare.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/login', '/queues/escalated', '/tickets/ESC-12', '/portal', '/portal/tickets/ESC-3', '/dashboard', '/rate/tok.en'])('serves index.html for the page %s', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('id="root"');
  });

  it('serves hashed assets with their type, cached for good', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.body).toBe('console.log(1)');
  });

  it('answers a missing asset with 404 in the API error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/missing.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('ROUTE_NOT_FOUND');
  });

  it.each(['/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/..%5c..%5csecret.txt', '/assets/a%00b'])('never serves a file outside the root: %s', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('outside the root');
  });

  it('does not claim paths outside the console (API, docs, unknown)', async () => {
    for (const url of ['/api/v1/nope', '/docs/json', '/nothing-here']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });

  it('says how to build the console when web/dist is missing', async () => {
    const res = await bare.inject({ method: 'GET', url: '/queues/mine' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build:web');
  });
});
