/**
 * Team moves and bounces in the live server: A → B → A → B through the HTTP API counts what
 * `escalon simulate` counts on the same moves (the same engine), lands on the ticket row and
 * the reporting rollups, and the product policy's bounce-tells-lead rule queues its notice.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyPolicy } from '../../src/app/apply-policy.ts';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { Engine } from '../../src/domain/engine/engine.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { Simulation, toOutputLine } from '../../src/domain/simulation.ts';
import { parseWorkloadLine } from '../../src/domain/workload.ts';
import { reportingDb } from '../../src/reporting/schema.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

type Move = [string, string, number, number];
const MOVES = new Set(['ticket.escalated', 'ticket.deescalated', 'ticket.bounced']);
const documentation = { summary: 'Export stops at 10%', steps_taken: 'Reproduced on two accounts', needs_attention: 'The export worker' };

/** The same moves as workload lines, through the simulator. */
function simulated(): Move[] {
  const parsed = parsePolicy(REFERENCE_POLICY);
  if (!parsed.ok) throw new Error('reference policy refused');
  const out: Move[] = [];
  const sim = new Simulation(new Engine({ policy: parsed.policy }), (e) => {
    const l = toOutputLine(e);
    if (MOVES.has(e.type)) out.push([e.type, String(l.to_team), Number(l.team_moves), Number(l.bounces)]);
  });
  const at = (m: number) => new Date(Date.UTC(2026, 11, 1, 15, m)).toISOString();
  const lines = [
    { at: at(0), type: 'ticket.created', ticket: 'T', priority: 'normal', organization: { id: 'a', tier: 'enterprise' }, subject: 'Export fails', body: 'The CSV export stops.', channel: 'web' },
    { at: at(1), type: 'ticket.escalated', ticket: 'T', to_team: 'specialists', reason: 'technical_complexity', documentation },
    { at: at(2), type: 'ticket.deescalated', ticket: 'T', to_team: 'frontline', reason: 'needs the customer first' },
    { at: at(3), type: 'ticket.escalated', ticket: 'T', to_team: 'specialists', reason: 'technical_complexity', documentation },
  ];
  lines.forEach((l, i) => {
    const line = parseWorkloadLine(JSON.stringify(l), i + 1);
    if (!line.ok) throw new Error(line.message);
    sim.input(line.value);
  });
  sim.finish(Date.parse(at(4)));
  return out;
}

describeStores('team moves live', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    t.deps.clock.set(Date.parse('2026-12-01T15:00:00Z'));
    await applyPolicy(t.deps, t.cast.actors.admin, REFERENCE_POLICY, 'yaml');
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('A → B → A → B: 3 team moves and 2 bounces, as the simulator counts them, on the row, the rollups and the lead told', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: t.auth('customerA'), payload: { subject: 'Export fails', body: 'The CSV export stops.' } });
    const key = created.json<{ key: string }>().key;
    const url = `/api/v1/tickets/${key}`;
    const step = async (path: string, payload: Record<string, unknown>) => {
      t.deps.clock.advance(60_000);
      const res = await t.app.inject({ method: 'POST', url: `${url}/${path}`, headers: t.auth('lead'), payload });
      expect(res.statusCode, res.body).toBe(200);
    };
    await step('escalate', { to_team: 'specialists', reason: 'technical_complexity', documentation });
    // The reference policy's technical checklist came with it: its required items before handing back.
    for (const item of ['reproduce', 'logs', 'workaround']) {
      const ticked = await t.app.inject({ method: 'PUT', url: `${url}/checklists/technical_complexity/items/${item}`, headers: t.auth('lead'), payload: { done: true } });
      expect(ticked.statusCode, ticked.body).toBe(200);
    }
    await step('de-escalate', { to_team: 'frontline', reason: 'needs the customer first' });
    await step('escalate', { to_team: 'specialists', reason: 'technical_complexity', documentation });

    const events = (await t.app.inject({ method: 'GET', url: `${url}/events`, headers: t.auth('admin') })).json<{ items: Array<{ type: string; payload: Record<string, unknown> }> }>().items;
    const live: Move[] = events.filter((e) => MOVES.has(e.type)).map((e) => [e.type, String(e.payload.to_team), Number(e.payload.team_moves), Number(e.payload.bounces)]);
    expect(live).toEqual([
      ['ticket.escalated', 'specialists', 1, 0],
      ['ticket.deescalated', 'frontline', 2, 1],
      ['ticket.bounced', 'frontline', 2, 1],
      ['ticket.escalated', 'specialists', 3, 2],
      ['ticket.bounced', 'specialists', 3, 2],
    ]);
    expect(live).toEqual(simulated());

    const ticket = (await t.app.inject({ method: 'GET', url, headers: t.auth('lead') })).json<Record<string, unknown>>();
    expect(ticket).toMatchObject({ team: 'specialists', team_moves: 3, bounces: 2 });
    const facts = await reportingDb(ctx.store.db).selectFrom('ticket_facts').select(['team_moves', 'bounces']).where('ticket_id', '=', String(ticket.id)).executeTakeFirstOrThrow();
    expect(facts).toEqual({ team_moves: 3, bounces: 2 });
    const told = events.filter((e) => e.type === 'notification.queued' && e.payload.rule === 'bounce-tells-lead');
    expect(told.map((e) => [e.payload.to, e.payload.template])).toEqual([
      [['lina@example.com'], 'ticket-bounced-internal'],
      [['lina@example.com'], 'ticket-bounced-internal'],
    ]);
  });
});
