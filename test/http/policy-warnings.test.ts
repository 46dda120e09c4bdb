import { beforeAll, expect, it } from 'vitest';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

describeStores('policy plan warnings', (s) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(s.store);
  });

  it('the plan lists recipients that reach nobody and people without an account, and the policy still applies', async () => {
    const headers = { ...t.auth('admin'), 'content-type': 'application/yaml' };
    const plan = await t.app.inject({ method: 'POST', url: '/api/v1/policy/plan', headers, payload: REFERENCE_POLICY });
    expect(plan.statusCode).toBe(200);
    const warnings = plan.json().warnings as Array<{ path: string; message: string }>;
    expect(warnings).toContainEqual({ path: 'teams.frontline.lead', message: 'lina@example.com has no active staff account: notices to them still go by email, but nobody can sign in to act on them' });
    expect(warnings.some((w) => w.path === 'rules[1].do[0].notify.to[1]' && w.message.includes('on_call'))).toBe(true);
    const applied = await t.app.inject({ method: 'PUT', url: '/api/v1/policy', headers, payload: REFERENCE_POLICY });
    expect(applied.statusCode).toBe(200);
  });
});
