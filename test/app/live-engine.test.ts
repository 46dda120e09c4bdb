/**
 * The live engine (issue 4) on both databases: one engine, two clocks — the example workload
 * driven through the HTTP API with a fake clock gives the SLA and escalation events that
 * `escalon simulate` gives, at the same instants; timers fire exactly once with two
 * schedulers on one database; policy apply/plan; manual escalation through the API.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { createTicket } from '../../src/app/create-ticket.ts';
import { fireDueTimers } from '../../src/app/fire-timers.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { Engine } from '../../src/domain/engine/engine.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { Simulation, toOutputLine } from '../../src/domain/simulation.ts';
import { parseWorkloadLine } from '../../src/domain/workload.ts';
import { earliestTimerDue } from '../../src/store/timers-repo.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const WORKLOAD = readFileSync(new URL('workload.example.jsonl', EXAMPLES), 'utf8').trim().split('\n');
const DAY = 86_400_000;
type Line = Record<string, unknown> & { at: string; type: string };

/** The lines of the comparison: SLA events, escalations, and the idle rule's notification. */
function comparable(l: Line): string | null {
  const at = new Date(l.at).toISOString();
  if (l.type.startsWith('sla.')) return `${at} ${l.type} ${String(l.metric)} ${String(l.threshold ?? '')} ${String(l.due ?? '')}`;
  if (l.type === 'ticket.escalated' || l.type === 'escalation.refused') return `${at} ${l.type} ${String(l.to_level ?? '')} ${String(l.rule ?? '')}`;
  if (l.type === 'notification.queued' && l.rule === 'idle-urgent') return `${at} ${l.type} ${String(l.rule)}`;
  return null;
}

function simulated(): string[] {
  const parsed = parsePolicy(REFERENCE_POLICY);
  if (!parsed.ok) throw new Error('reference policy refused');
  const out: string[] = [];
  const sim = new Simulation(new Engine({ policy: parsed.policy }), (e) => {
    const c = comparable(toOutputLine(e) as Line);
    if (c) out.push(c);
  });
  WORKLOAD.forEach((text, i) => {
    const line = parseWorkloadLine(text, i + 1);
    if (!line.ok) throw new Error(line.message);
    sim.input(line.value);
  });
  sim.finish(sim.lastInputAt + 30 * DAY);
  return out;
}

describeStores('live engine', (ctx) => {
  let t: TestApp;
  const fire = (owner = 'test') => fireDueTimers({ store: ctx.store, clock: t.deps.clock, live: t.deps.live, owner });

  /** Moves the fake clock through every due timer before `limit` (or at it, if inclusive), firing each. */
  async function runTimers(limit: number, inclusive: boolean): Promise<void> {
    for (;;) {
      const due = await earliestTimerDue(ctx.store.db);
      if (due === null || due > limit || (!inclusive && due === limit)) return;
      t.deps.clock.set(due);
      await fire();
    }
  }

  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(Date.parse('2026-11-30T00:00:00Z'));
    await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('one engine, two clocks: the example workload through the API gives what simulate gives', async () => {
    let key = '';
    let lastAt = 0;
    for (const text of WORKLOAD) {
      const l = JSON.parse(text) as Line & { ticket: string };
      const at = Date.parse(l.at);
      lastAt = at;
      await runTimers(at, false);
      t.deps.clock.set(at);
      let res;
      if (l.type === 'ticket.created') {
        res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/tickets',
          // Priority and channel are staff's to record (a customer sets only what customer_fields allows).
          headers: t.auth('agent'),
          payload: { subject: l.subject, body: l.body, priority: l.priority, channel: l.channel, requester_id: t.cast.actors.customerA.userId },
        });
        key = res.json<{ key: string }>().key;
      } else if (l.type === 'comment.added') {
        res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/tickets/${key}/comments`,
          headers: t.auth(l.author === 'agent' ? 'agent' : 'customerA'),
          payload: { body: l.body, public: l.public },
        });
      } else {
        res = await t.app.inject({ method: 'PATCH', url: `/api/v1/tickets/${key}`, headers: t.auth('agent'), payload: { status: l.status } });
      }
      expect(res.statusCode, res.body).toBeLessThan(300);
    }
    await runTimers(lastAt + 30 * DAY, true);
    const events = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/events`, headers: t.auth('admin') });
    const live = events
      .json<{ items: Array<{ at: string; type: string; payload: Record<string, unknown> }> }>()
      .items.map((e) => comparable({ ...e.payload, at: e.at, type: e.type }))
      .filter((c): c is string => c !== null);
    expect(live.length).toBeGreaterThan(20);
    expect(live).toEqual(simulated());
    // And the ticket now sits at the top of the ladder, its last escalation unacknowledged.
    const sla = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/sla`, headers: t.auth('lead') });
    const view = sla.json<{ escalation: { level: string; escalations: number; acknowledgement_pending: unknown } }>();
    expect(view.escalation).toMatchObject({ level: 'executive', escalations: 4 });
    expect(view.escalation.acknowledgement_pending).not.toBeNull();
  });

  it('fires every timer exactly once with two schedulers on one database', async () => {
    const start = Date.parse('2026-12-02T10:00:00Z');
    t.deps.clock.set(start);
    const keys: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { ticket } = await createTicket(t.deps, t.cast.actors.agent, { requesterId: t.cast.actors.customerA.userId, subject: `Outage ${i}`, body: 'Everything is down.', priority: 'urgent' });
      keys.push(ticket.key);
    }
    // Five hours later every resolution clock (4 h) has breached: fire with two owners at once.
    t.deps.clock.set(start + 5 * 3_600_000);
    for (let round = 0; round < 40; round++) {
      const [a, b] = await Promise.all([fire('node-a'), fire('node-b')]);
      if (a.claimed + b.claimed === 0) break;
    }
    for (const key of keys) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${key}/events`, headers: t.auth('admin') });
      const items = res.json<{ items: Array<{ type: string; payload: Record<string, unknown> }> }>().items;
      const count = (type: string, pred: (p: Record<string, unknown>) => boolean = () => true) => items.filter((e) => e.type === type && pred(e.payload)).length;
      expect(count('sla.breached', (p) => p.metric === 'resolution'), key).toBe(1);
      expect(count('sla.breached', (p) => p.metric === 'first_response'), key).toBe(1);
      expect(count('ticket.escalated', (p) => p.rule === 'breach-goes-up'), key).toBe(1);
      const ids = items.filter((e) => e.type === 'ticket.escalated').map((e) => e.payload.escalation_id);
      expect(new Set(ids).size, key).toBe(ids.length);
    }
    const rows = await ctx.store.db.selectFrom('outbox').select(['payload', 'recipient']).execute();
    const pairs = rows.map((r) => `${(JSON.parse(r.payload) as { event_id: string }).event_id} ${r.recipient}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('refuses an invalid policy whole, with every problem at its line; plans and applies a valid one', async () => {
    const bad = REFERENCE_POLICY.replace('level: L3', 'level: L9').replace("to: { team: legal }", 'to: { team: lawyers }');
    const refused = await t.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...t.auth('manager'), 'content-type': 'text/yaml' }, payload: bad });
    expect(refused.statusCode).toBe(422);
    const problems = refused.json<{ error: { code: string; details: { problems: Array<{ path: string; line: number }> } } }>().error;
    expect(problems.code).toBe('POLICY_INVALID');
    expect(problems.details.problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.details.problems.every((p) => typeof p.line === 'number')).toBe(true);
    const agent = await t.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...t.auth('agent'), 'content-type': 'text/yaml' }, payload: REFERENCE_POLICY });
    expect(agent.statusCode).toBe(403);

    // A longer enterprise resolution target moves the due moments of open tickets (elapsed kept).
    const longer = REFERENCE_POLICY.replace('urgent: { first_response: 15m, next_response: 30m, periodic_update: 1h, resolution: 4h }', 'urgent: { first_response: 15m, next_response: 30m, periodic_update: 1h, resolution: 8h }');
    const before = await t.app.inject({ method: 'GET', url: '/api/v1/policy', headers: t.auth('agent') });
    const version = before.json<{ version: number }>().version;
    const t0 = Date.parse('2026-12-03T10:00:00Z');
    t.deps.clock.set(t0);
    const { ticket } = await createTicket(t.deps, t.cast.actors.agent, { requesterId: t.cast.actors.customerA.userId, subject: 'Slow', body: 'Pages load slowly.', priority: 'urgent' });
    t.deps.clock.set(t0 + 3_600_000);
    const plan = await t.app.inject({ method: 'POST', url: '/api/v1/policy/plan', headers: { ...t.auth('admin'), 'content-type': 'text/yaml' }, payload: longer });
    expect(plan.statusCode, plan.body).toBe(200);
    const planned = plan.json<{ next_version: number; clocks: Array<{ ticket: string; metric: string; due_before: string; due_after: string }> }>();
    expect(planned.next_version).toBe(version + 1);
    expect(planned.clocks).toContainEqual({ ticket: ticket.key, metric: 'resolution', due_before: '2026-12-03T14:00:00.000Z', due_after: '2026-12-03T18:00:00.000Z' });
    const still = await t.app.inject({ method: 'GET', url: '/api/v1/policy', headers: t.auth('agent') });
    expect(still.json<{ version: number }>().version).toBe(version);
    const applied = await t.app.inject({ method: 'PUT', url: '/api/v1/policy', headers: { ...t.auth('admin'), 'content-type': 'text/yaml' }, payload: longer });
    expect(applied.statusCode, applied.body).toBe(200);
    const sla = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.key}/sla`, headers: t.auth('agent') });
    const clocks = sla.json<{ policy_version: number; clocks: Array<{ metric: string; due: string; elapsed_ms: number }> }>();
    expect(clocks.policy_version).toBe(version + 1);
    expect(clocks.clocks.find((c) => c.metric === 'resolution')).toMatchObject({ due: '2026-12-03T18:00:00.000Z', elapsed_ms: 3_600_000 });
  });

  it('escalates manually with documentation, lets a customer request escalation, acknowledges and de-escalates', async () => {
    t.deps.clock.set(Date.parse('2026-12-04T10:00:00Z'));
    const { ticket } = await createTicket(t.deps, t.cast.actors.customerA, { subject: 'Data sync broken', body: 'Sync fails.' });
    const url = `/api/v1/tickets/${ticket.key}`;
    const undocumented = await t.app.inject({ method: 'POST', url: `${url}/escalate`, headers: t.auth('agent'), payload: { reason: 'technical_complexity' } });
    expect(undocumented.statusCode).toBe(422);
    expect(undocumented.json<{ error: { code: string } }>().error.code).toBe('DOCUMENTATION_REQUIRED');
    const documentation = { summary: 'Sync fails for one tenant', steps_taken: 'Re-ran the job; checked logs', needs_attention: 'Queue consumer crashes' };
    const up = await t.app.inject({ method: 'POST', url: `${url}/escalate`, headers: t.auth('agent'), payload: { reason: 'technical_complexity', documentation, require_acknowledgement: true } });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json<{ ticket: { level: string; team: string } }>().ticket).toMatchObject({ level: 'L2', team: 'specialists' });
    const escalated = await t.app.inject({ method: 'GET', url: '/api/v1/queues/escalated?team=specialists', headers: t.auth('lead') });
    expect(escalated.json<{ items: Array<{ key: string }> }>().items.map((x) => x.key)).toContain(ticket.key);
    const ack = await t.app.inject({ method: 'POST', url: `${url}/acknowledge`, headers: t.auth('manager') });
    expect(ack.statusCode, ack.body).toBe(200);
    const again = await t.app.inject({ method: 'POST', url: `${url}/acknowledge`, headers: t.auth('manager') });
    expect(again.json<{ error: { code: string } }>().error.code).toBe('NOTHING_TO_ACKNOWLEDGE');
    const byCustomer = await t.app.inject({ method: 'POST', url: `${url}/escalate`, headers: t.auth('customerA'), payload: { comment: 'Please, this blocks payroll.' } });
    expect(byCustomer.statusCode, byCustomer.body).toBe(200);
    // The customer hears where it went in their terms (request.level_name), not the ticket's routing fields.
    expect(byCustomer.json<{ ticket: Record<string, unknown>; events: unknown[] }>()).toMatchObject({ request: { outcome: 'escalated', level: 'L3' }, events: [] });
    expect(byCustomer.json<{ ticket: Record<string, unknown> }>().ticket).not.toHaveProperty('level');
    const foreign = await t.app.inject({ method: 'POST', url: `${url}/escalate`, headers: t.auth('customerB'), payload: { comment: 'me too' } });
    expect(foreign.statusCode).toBe(404);
    // The reference policy's technical checklist came with the escalation: its required items first (docs/policy.md, "Playbooks").
    const early = await t.app.inject({ method: 'POST', url: `${url}/de-escalate`, headers: t.auth('lead'), payload: { reason: 'workaround in place' } });
    expect(early.json<{ error: { code: string } }>().error.code).toBe('CHECKLIST_INCOMPLETE');
    for (const item of ['reproduce', 'logs', 'workaround']) {
      const ticked = await t.app.inject({ method: 'PUT', url: `${url}/checklists/technical_complexity/items/${item}`, headers: t.auth('agent2'), payload: { done: true } });
      expect(ticked.statusCode, ticked.body).toBe(200);
    }
    const down = await t.app.inject({ method: 'POST', url: `${url}/de-escalate`, headers: t.auth('lead'), payload: { reason: 'workaround in place' } });
    expect(down.json<{ ticket: { level: string } }>().ticket.level).toBe('L2');
    const history = await t.app.inject({ method: 'GET', url: `${url}/escalations`, headers: t.auth('agent') });
    const types = history.json<{ items: Array<{ type: string; payload: Record<string, unknown> }> }>().items.map((e) => e.type);
    expect(types).toEqual(['ticket.escalated', 'escalation.acknowledged', 'ticket.escalated', 'ticket.deescalated']);
    const doc = history.json<{ items: Array<{ payload: Record<string, unknown> }> }>().items[0]?.payload.documentation;
    expect(doc).toEqual(documentation);
  });
});
