/**
 * The post-resolution review with lessons over HTTP: leads/managers record root cause (from
 * the policy's `root_causes`), what went well and badly and owned actions on a solved ticket;
 * the save is audited in the ticket's events, editable with a revision check, and the causes
 * report counts the recorded root cause — on the rollup path and the naive path alike.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kpisFromRollups, kpisNaive } from '../../src/reporting/report-queries.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

const POLICY = `version: 1
calendars:
  always: { timezone: UTC, hours: 24x7 }
levels:
  - { id: L1 }
  - { id: L2 }
teams:
  front: { level: L1, members: [front@x.io] }
  back: { level: L2, members: [back@x.io] }
sla:
  - id: s
    calendar: always
    targets: { normal: { first_response: 1h } }
root_causes:
  - bad_release
  - { id: vendor, name: Vendor outage }
`;

describeStores('post-resolution review with lessons', (ctx) => {
  let t: TestApp;
  let key = '';
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    const applied = await t.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...t.auth('admin'), 'content-type': 'text/yaml' }, payload: POLICY });
    expect(applied.statusCode, applied.body).toBe(200);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth('customerA'), payload: { subject: 'Export broken', body: 'since the update' } });
    key = created.json<{ key: string }>().key;
    const esc = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${key}/escalate`,
      headers: t.auth('agent'),
      payload: { reason: 'technical_complexity', documentation: { summary: 's', steps_taken: 't', needs_attention: 'n' } },
    });
    expect(esc.statusCode, esc.body).toBeLessThan(300);
  });
  afterAll(async () => {
    await t.app.close();
  });

  const review = (who: 'lead' | 'manager' | 'agent', body: Record<string, unknown>) =>
    t.app.inject({ method: 'PUT', url: `/api/v1/tickets/${key}/review`, headers: t.auth(who), payload: body });

  it('refuses a review before the ticket is solved', async () => {
    const res = await review('lead', { root_cause: 'vendor' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('REVIEW_NOT_OPEN');
  });

  it('records root cause, lessons and owned actions on a solved ticket, audited, editable with a revision check, counted in the causes report', async () => {
    const solved = await t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${key}`, headers: t.auth('agent'), payload: { status: 'solved' } });
    expect(solved.statusCode, solved.body).toBe(200);

    const bad = await review('lead', { root_cause: 'gremlins', actions: [{ description: 'x', owner_id: t.cast.actors.customerA.userId, due: '2026-02-30' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.issues.map((i: { path: string }) => i.path)).toEqual(['root_cause', 'actions[0].owner_id', 'actions[0].due']);
    expect(bad.json().error.details.issues[0].message).toContain('bad_release, vendor');

    const agent = await review('agent', { root_cause: 'vendor' });
    expect(agent.statusCode).toBe(403);

    const first = await review('lead', {
      root_cause: 'vendor',
      root_cause_detail: 'the storage provider throttled exports',
      went_well: 'fast hand-off',
      went_badly: 'nobody watched the provider status page',
      actions: [{ description: 'alert on provider throttling', owner_id: t.cast.actors.manager.userId, due: '2026-04-01' }],
      revision: 0,
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ revision: 1, root_cause: 'vendor', root_cause_name: 'Vendor outage', actions: [{ owner: { id: t.cast.actors.manager.userId, name: 'manager' }, due: '2026-04-01', done: false }] });

    const stale = await review('manager', { root_cause: 'bad_release', revision: 0 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('VERSION_CONFLICT');

    const shown = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/review`, headers: t.auth('agent') })).json();
    expect(shown.lessons.went_badly).toBe('nobody watched the provider status page');
    expect(shown.choices.root_causes.map((c: { id: string }) => c.id)).toEqual(['bad_release', 'vendor']);
    // The review closes every stay at the solve: none of a solved ticket's stays is left open.
    expect(shown.stays.length).toBeGreaterThan(2);
    expect(shown.stays.filter((s: { left_at: string | null }) => s.left_at === null)).toEqual([]);
    expect(shown.stays.filter((s: { ended: string }) => s.ended === 'solved').map((s: { kind: string; key: string }) => `${s.kind}:${s.key}`)).toEqual(['team:back', 'level:L2']);

    const md = (await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/review?format=markdown`, headers: t.auth('manager') })).body;
    expect(md).toContain('**Root cause:** Vendor outage (`vendor`) — the storage provider throttled exports');

    const internal = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/events`, headers: t.auth('agent') });
    const recorded = internal.json<{ items: Array<{ type: string; internal: boolean; payload: Record<string, unknown> }> }>().items.filter((e) => e.type === 'review.recorded');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ internal: true, payload: { revision: 1, root_cause: 'vendor' } });
    const customer = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/events`, headers: t.auth('customerA') });
    expect(customer.body).not.toContain('review.recorded');

    const causes = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/reports/causes?from=2026-01-01&to=2026-12-31', headers: t.auth('manager') })).json().causes;
    expect((await causes()).by_root_cause).toEqual([{ root_cause: 'vendor', count: 1 }]);

    const edited = await review('manager', { root_cause: 'bad_release', revision: 1 });
    expect(edited.json()).toMatchObject({ revision: 2, root_cause: 'bad_release', recorded_by: { id: t.cast.actors.lead.userId }, updated_by: { id: t.cast.actors.manager.userId } });
    expect((await causes()).by_root_cause).toEqual([{ root_cause: 'bad_release', count: 1 }]);

    const q = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2027, 0, 1), asOf: Date.UTC(2027, 0, 1), timeZone: 'UTC', firstLevel: 'L1', filters: {} };
    const naive = await kpisNaive(ctx.store.db, q);
    const rollup = await kpisFromRollups(ctx.store.db, q);
    expect(naive.causes.byRootCause).toEqual([{ rootCause: 'bad_release', count: 1 }]);
    expect(rollup.causes).toEqual(naive.causes);
  });
});
