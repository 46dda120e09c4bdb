/** Escalation drills over HTTP on both stores: start, practise, decide, score — and nothing real moves. */
import { beforeAll, expect, it } from 'vitest';
import { createDrill } from '../../src/app/create-drill.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

describeStores('escalation drills', (s) => {
  let t: TestApp;
  const count = async (table: 'tickets' | 'outbox' | 'events') => Number((await t.deps.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const call = (who: Parameters<TestApp['auth']>[0], method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: t.auth(who), ...(payload !== undefined && { payload: payload as object }) });

  beforeAll(async () => {
    t = await makeTestApp(s.store);
  });

  it('refuses to start a drill before a policy is applied', async () => {
    const res = await call('manager', 'POST', '/drills', { scenario: { kind: 'example', id: 'three-tickets' }, trainees: 'all_agents' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('NO_POLICY');
  });

  it('a manager starts a drill, trainees decide, the score sheet compares with the policy; no ticket, event or outbox row is written', async () => {
    const applied = await t.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...t.auth('admin'), 'content-type': 'application/yaml' }, payload: REFERENCE_POLICY });
    expect(applied.statusCode).toBe(200);
    const before = { tickets: await count('tickets'), outbox: await count('outbox'), events: await count('events') };
    const { agent, agent2 } = t.cast.actors;

    expect((await call('agent', 'POST', '/drills', { scenario: { kind: 'example', id: 'three-tickets' }, trainees: 'all_agents' })).statusCode).toBe(403);
    const created = await call('manager', 'POST', '/drills', { name: 'Monday drill', scenario: { kind: 'example', id: 'three-tickets' }, trainees: [agent.userId, agent2.userId] });
    expect(created.statusCode).toBe(201);
    const drill = created.json();
    expect(drill).toMatchObject({ name: 'Monday drill', source: 'example', scenario: 'three-tickets', tickets: 3 });

    const queue = (await call('agent', 'GET', `/drills/${drill.id}/tickets`)).json();
    expect(queue.is_trainee).toBe(true);
    expect(queue.tickets.map((x: { ref: string }) => x.ref)).toEqual(['D1', 'D2', 'D3']);
    // Before deciding, a trainee does not see what the policy does.
    expect(queue.tickets.every((x: { expected: unknown }) => x.expected === null)).toBe(true);
    const [d1, d2, d3] = queue.tickets as Array<{ id: string }>;

    const doc = { summary: 'Customer needs an answer', steps_taken: 'Read the ticket', needs_attention: 'Deadline' };
    const r1 = await call('agent', 'POST', `/drills/${drill.id}/decisions`, { ticket_id: d1?.id, escalate: true, team: 'legal', reason: 'legal_compliance', timing: 'now', documentation: doc });
    expect(r1.statusCode).toBe(201);
    expect(r1.json()).toMatchObject({ points: 5, max: 5, expected: { escalate: true, team: 'legal', level: 'L2', rule: 'legal-risk', timing: 'now' } });
    const r2 = await call('agent', 'POST', `/drills/${drill.id}/decisions`, { ticket_id: d2?.id, escalate: true, level: 'L2', reason: 'other', timing: 'now', documentation: doc });
    expect(r2.json()).toMatchObject({ points: 0, expected: { escalate: false } });
    const r3 = await call('agent', 'POST', `/drills/${drill.id}/decisions`, { ticket_id: d3?.id, escalate: true, team: 'specialists', reason: 'sla_risk', timing: 'now', documentation: doc });
    expect(r3.json()).toMatchObject({ points: 4, expected: { team: 'specialists', rule: 'breach-goes-up', timing: 'wait' } });
    // once only
    const again = await call('agent', 'POST', `/drills/${drill.id}/decisions`, { ticket_id: d1?.id, escalate: false });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('DRILL_ALREADY_DECIDED');
    // an escalation without documentation is refused
    const undocumented = await call('agent2', 'POST', `/drills/${drill.id}/decisions`, { ticket_id: d1?.id, escalate: true, team: 'legal', reason: 'legal_compliance', timing: 'now' });
    expect(undocumented.json().error.code).toBe('DOCUMENTATION_REQUIRED');
    expect((await call('agent2', 'POST', `/drills/${drill.id}/decisions`, { ticket_id: d2?.id, escalate: false })).json()).toMatchObject({ points: 5 });

    // who sees what
    expect((await call('lead', 'GET', `/drills/${drill.id}/tickets`)).json().error.code).toBe('DRILL_NOT_FOUND');
    expect((await call('lead', 'GET', '/drills')).json().items).toEqual([]);
    expect((await call('agent', 'GET', '/drills')).json().items[0]).toMatchObject({ id: drill.id, my_progress: { decided: 3, points: 9, max: 15 } });
    expect((await call('manager', 'POST', `/drills/${drill.id}/decisions`, { ticket_id: d2?.id, escalate: false })).json().error.code).toBe('DRILL_NOT_A_TRAINEE');
    expect((await call('agent', 'GET', `/drills/${drill.id}/scores`)).statusCode).toBe(403);

    const scores = (await call('manager', 'GET', `/drills/${drill.id}/scores`)).json();
    expect(scores.trainees).toEqual([
      expect.objectContaining({ user_id: agent.userId, decided: 3, points: 9, max: 15, percent: 60, complete: true }),
      expect.objectContaining({ user_id: agent2.userId, decided: 1, points: 5, max: 15, complete: false }),
    ]);
    expect(scores.tickets.map((x: { decisions: number }) => x.decisions)).toEqual([1, 2, 1]);
    expect(scores.scenario).toMatchObject({ scenario: 'three-tickets', drills: 1, decisions: 4, points: 14, max: 20 });

    expect({ tickets: await count('tickets'), outbox: await count('outbox'), events: await count('events') }).toEqual(before);
  });

  it('an uploaded workload with bad lines is refused with each line; a good one makes a drill', async () => {
    const bad = await call('manager', 'POST', '/drills', { scenario: { kind: 'upload', workload: '{"at":"x"}\nnot json' }, trainees: 'all_agents' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('DRILL_SCENARIO_INVALID');
    expect(bad.json().error.details.problems.map((p: { line: number }) => p.line)).toEqual([1, 2]);
    const orphan = await call('manager', 'POST', '/drills', { scenario: { kind: 'upload', workload: '{"at":"2026-12-01T10:00:00Z","type":"comment.added","ticket":"Z","author":"agent","public":true,"body":"hi"}' }, trainees: 'all_agents' });
    expect(orphan.statusCode).toBe(422);
    expect(orphan.json().error).toMatchObject({ code: 'DRILL_SCENARIO_INVALID', details: { problems: [{ line: 1, message: 'ticket Z has not been created yet' }] } });
    const good = '{"at":"2026-12-01T10:00:00Z","type":"ticket.created","ticket":"X1","priority":"normal","organization":{"id":"o","tier":"standard"},"subject":"Need a refund","body":"We were charged twice","channel":"email"}\n';
    const res = await call('manager', 'POST', '/drills', { scenario: { kind: 'upload', workload: good, name: 'refunds' }, trainees: 'all_agents' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ scenario: 'upload:refunds', tickets: 1 });
    expect(res.json().trainees).toHaveLength(2);
    const q = (await call('manager', 'GET', `/drills/${res.json().id}/tickets`)).json();
    expect(q.tickets[0].expected).toMatchObject({ escalate: true, team: 'billing', rule: 'billing-dispute' });
  });

  it('samples tickets from history with names and addresses removed', async () => {
    const { customerA, manager } = t.cast.actors;
    await createTicket(t.deps, customerA, { subject: `Help from ${customerA.name}`, body: `Write to ${customerA.email} or call +1 555 123 4567` });
    const drill = await createDrill(t.deps, manager, { scenario: { kind: 'history', count: 5 }, trainees: 'all_agents' }, () => 0);
    const q = (await call('manager', 'GET', `/drills/${drill.id}/tickets`)).json();
    const text = JSON.stringify(q.tickets);
    expect(q.tickets.length).toBeGreaterThan(0);
    expect(text).not.toContain(customerA.email);
    expect(text).not.toContain('555 123');
    expect(q.tickets[0].ref).toBe('H1');
  });

  it('the quick reference lists levels, teams, rules, targets and the on-call person', async () => {
    const res = await call('agent', 'GET', '/quick-reference');
    expect(res.statusCode).toBe(200);
    const qr = res.json();
    expect(qr.levels.map((l: { id: string }) => l.id)).toEqual(['L1', 'L2', 'L3', 'management', 'executive']);
    const engineering = qr.levels[2].teams[0];
    expect(engineering.on_call.rotation).toEqual(['eli@example.com', 'eva@example.com']);
    expect(['eli@example.com', 'eva@example.com']).toContain(engineering.on_call.now);
    expect(qr.rules.find((r: { id: string }) => r.id === 'legal-risk')).toMatchObject({ escalates_to: 'team legal', reason: 'legal_compliance' });
    expect(qr.support.tiers[0].sla_policy).toBe('enterprise');
    expect(qr.checklists.map((c: { id: string }) => c.id)).toEqual(['technical_complexity', 'financial_high_value', 'legal_compliance']);
    expect(qr.checklists.find((c: { id: string }) => c.id === 'legal_compliance').items.some((i: { required: boolean }) => i.required)).toBe(true);
    expect((await call('customerA', 'GET', '/quick-reference')).statusCode).toBe(403);
  });
});
