/**
 * A webhook's signing secret is shown once: in the answer that creates the endpoint and in the
 * answer to a rotation. Listing or changing an endpoint otherwise shows only a hint.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

describeStores('webhook signing secrets are shown once', (s) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(s.store);
  });

  it('create and rotation reveal the secret; the list and other changes never do', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/webhook-endpoints', headers: t.auth('admin'), payload: { url: 'https://hooks.example.com/secret-once' } });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json() as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);

    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/webhook-endpoints', headers: t.auth('admin') });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(secret);
    const item = (listed.json() as { items: Array<{ id: string; secret: string | null; secret_hint: string }> }).items.find((e) => e.id === id);
    expect(item).toMatchObject({ secret: null, secret_hint: `…${secret.slice(-4)}` });

    const disabled = await t.app.inject({ method: 'PATCH', url: `/api/v1/webhook-endpoints/${id}`, headers: t.auth('admin'), payload: { enabled: false } });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ secret: null, enabled: false });

    const rotated = await t.app.inject({ method: 'PATCH', url: `/api/v1/webhook-endpoints/${id}`, headers: t.auth('admin'), payload: { rotate_secret: true } });
    expect(rotated.statusCode).toBe(200);
    const fresh = (rotated.json() as { secret: string }).secret;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/webhook-endpoints', headers: t.auth('admin') });
    expect(after.body).not.toContain(fresh);
  });
});
