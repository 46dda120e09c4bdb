/**
 * Policy history over HTTP: versions newest first with what each changed, one version's
 * document, a diff (sections and lines), rollback planned (nothing written) then applied as
 * the next version; a version that was never applied is a 404 that says which exist.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

describeStores('policy history API', (ctx) => {
  let t: TestApp;
  const changed = REFERENCE_POLICY.replace('urgent: { first_response: 15m,', 'urgent: { first_response: 20m,');
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    for (const doc of [REFERENCE_POLICY, changed]) {
      const res = await t.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...t.auth('admin'), 'content-type': 'text/yaml' }, payload: doc });
      expect(res.statusCode, res.body).toBe(200);
    }
  });
  afterAll(async () => {
    await t.app.close();
  });
  const get = (url: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth('manager') });

  it('lists versions newest first, reads one, compares two', async () => {
    expect(changed).not.toBe(REFERENCE_POLICY);
    const list = (await get('/policy/versions')).json<{ items: Array<{ version: number; summary: string; applied_by: string; rollback_of: number | null }> }>().items;
    expect(list.map((v) => [v.version, v.summary])).toEqual([
      [2, 'sla ~1'],
      [1, 'first version'],
    ]);
    expect(list[0]?.applied_by).toBe(t.cast.actors.admin.email);
    expect((await get('/policy/versions/1')).json().source).toBe(REFERENCE_POLICY);
    const diff = (await get('/policy/versions/1/diff/2')).json();
    expect(diff.changes.sla.changed).toHaveLength(1);
    expect(diff.changes.rules).toEqual({ added: [], removed: [], changed: [] });
    expect(diff.lines.filter((l: { op: string }) => l.op !== ' ').map((l: { op: string; text: string }) => `${l.op}${l.text.trim()}`)).toEqual([
      expect.stringMatching(/^-urgent: \{ first_response: 15m,/),
      expect.stringMatching(/^\+urgent: \{ first_response: 20m,/),
    ]);
    expect(diff.unified).toMatch(/^@@ -\d+,7 \+\d+,7 @@/);
    const missing = await get('/policy/versions/9');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'POLICY_VERSION_NOT_FOUND', message: 'there is no policy version 9; versions run from 1 to 2' });
  });

  it('plans a rollback without writing, then applies the old document as the next version', async () => {
    const rollback = (body: object) => t.app.inject({ method: 'POST', url: '/api/v1/policy/rollback', headers: t.auth('manager'), payload: body });
    const plan = await rollback({ version: 1, dry_run: true });
    expect(plan.json()).toMatchObject({ current_version: 2, next_version: 3, rollback_of: 1 });
    expect(plan.json().sla.changed).toHaveLength(1);
    expect((await get('/policy')).json().version).toBe(2);
    const applied = await rollback({ version: 1 });
    expect(applied.json()).toMatchObject({ next_version: 3, rollback_of: 1 });
    const now = (await get('/policy')).json();
    expect(now).toMatchObject({ version: 3, source: REFERENCE_POLICY });
    expect((await get('/policy/versions')).json().items[0]).toMatchObject({ version: 3, rollback_of: 1, summary: 'rollback to version 1: sla ~1' });
    expect((await rollback({ version: 7 })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/policy/versions', headers: t.auth('lead') })).statusCode).toBe(403);
  });
});
