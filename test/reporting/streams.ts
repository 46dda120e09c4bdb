/**
 * Event streams for the reporting tests: the simulator's output for a workload (the
 * reference example, a hand-made one, the ServiceNow-derived log), and a loader that writes
 * such a stream into a store as tickets and events.
 */
import { readFileSync } from 'node:fs';
import type { Insertable, Kysely } from 'kysely';
import { Engine } from '../../src/domain/engine/engine.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { fromSimulateLine, groupByTicket, type TicketEvents } from '../../src/domain/reporting/event-stream.ts';
import { Simulation, toOutputLine } from '../../src/domain/simulation.ts';
import { parseWorkloadLine, type WorkloadLine } from '../../src/domain/workload.ts';
import { readServiceNowLog } from '../../src/import/servicenow.ts';
import { teamLevelsOf } from '../../src/reporting/team-levels.ts';
import type { Database } from '../../src/store/schema.ts';

export type Line = Record<string, unknown> & { at: string; ticket: string; type: string };

export const ROOT_DIR = new URL('../../', import.meta.url);
export const SERVICENOW = new URL('examples/data/servicenow-incidents-train.csv.gz', ROOT_DIR).pathname;

export function policy() {
  const parsed = parsePolicy(readFileSync(new URL('examples/escalon.policy.yaml', ROOT_DIR), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.policy;
}

export function simulate(workload: WorkloadLine[], days = 30): Line[] {
  const parsed = { policy: policy() };
  const out: Line[] = [];
  const sim = new Simulation(new Engine({ policy: parsed.policy }), (e) => out.push(toOutputLine(e) as Line));
  for (const line of workload) sim.input(line);
  sim.finish(sim.lastInputAt + days * 24 * 3600 * 1000);
  return out;
}

export function parseWorkload(text: string): WorkloadLine[] {
  return text
    .trim()
    .split('\n')
    .map((t, i) => {
      const line = parseWorkloadLine(t, i + 1);
      if (!line.ok) throw new Error(`workload line ${i + 1}: ${line.message}`);
      return line.value;
    });
}

export function handmadeStream(): Line[] {
  return simulate(parseWorkload(readFileSync(new URL('./handmade.workload.jsonl', import.meta.url), 'utf8')));
}

export const TEAM_LEVELS = teamLevelsOf(policy());

/** Records the reference policy as applied (version 1), as the live server does. */
export async function applyReferencePolicy(db: Kysely<Database>): Promise<void> {
  const found = await db.selectFrom('policies').select('version').where('version', '=', 1).executeTakeFirst();
  if (found) return;
  const source = readFileSync(new URL('examples/escalon.policy.yaml', ROOT_DIR), 'utf8');
  await db.insertInto('policies').values({ version: 1, source, format: 'yaml', applied_at: 0, applied_by: 'test' }).execute();
}

export function exampleStream(): Line[] {
  return simulate(parseWorkload(readFileSync(new URL('examples/workload.example.jsonl', ROOT_DIR), 'utf8')));
}

export async function serviceNowStream(): Promise<Line[]> {
  const lines = (await readServiceNowLog(SERVICENOW)).lines;
  return simulate(parseWorkload(lines.map((l) => JSON.stringify(l)).join('\n')));
}

export function grouped(lines: Line[]): TicketEvents[] {
  return groupByTicket(lines.map((l) => fromSimulateLine(l)).filter((x) => x !== null));
}

/**
 * Writes a stream as tickets (one organization per tier, one requester) and events (a comment's
 * actor is `agent`, as the engine records a workload's agent comment; others `system`). Event ids
 * sort in stream order within a ticket. Returns the ticket ids (`t-<ref>`).
 */
export async function loadStream(db: Kysely<Database>, groups: TicketEvents[], opts: { withEvents?: boolean } = {}): Promise<string[]> {
  const tiers = new Set<string>();
  for (const g of groups) {
    const c = g.events.find((e) => e.type === 'ticket.created');
    const org = c?.payload.organization as { tier?: string } | undefined;
    tiers.add(org?.tier ?? 'standard');
  }
  const stamp = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
  for (const tier of tiers) {
    await db.insertInto('organizations').values({ id: `org-${stamp}-${tier}`, name: `${tier} ${stamp}`, tier, contract_value: null, account_manager: null, created_at: 0 }).execute();
  }
  const requester = `req-${stamp}`;
  await db.insertInto('users').values({ id: requester, email: `${requester}@example.com`, name: 'requester', role: 'customer', organization_id: null, password_hash: null, active: 1, created_at: 0 }).execute();
  const ids: string[] = [];
  const base = Number((await db.selectFrom('tickets').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst())?.n ?? 0);
  let n = base;
  const ticketRows: Array<Insertable<Database['tickets']>> = [];
  const eventRows: Array<Insertable<Database['events']>> = [];
  for (const g of groups) {
    const c = g.events.find((e) => e.type === 'ticket.created');
    if (!c) continue;
    const id = `t-${stamp}-${g.ticket}`;
    ids.push(id);
    n += 1;
    const org = c.payload.organization as { tier?: string } | undefined;
    ticketRows.push({
      id, key: `ESC-${n}`, number: n, requester_id: requester, organization_id: `org-${stamp}-${org?.tier ?? 'standard'}`, channel: String(c.payload.channel ?? 'web'),
      subject: 's', body: 'b', priority: String(c.payload.priority ?? 'normal'), impact: null, urgency: null, category: null, tags: '[]', status: 'new',
      assignee_id: null, owner_id: null, team: null, level: null, created_at: c.at, updated_at: c.at, solved_at: null, version: 1, reassignments: 0, reopens: 0, engine_state: null,
    });
    if (opts.withEvents === false) continue;
    g.events.forEach((e, i) => {
      eventRows.push({ id: `${id}:${String(i).padStart(6, '0')}`, ticket_id: id, at: e.at, recorded_at: e.at, type: e.type, actor: e.actor ?? (e.type === 'comment.added' ? 'agent' : 'system'), payload: JSON.stringify(e.payload), internal: 0 });
    });
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < ticketRows.length; i += 500) await trx.insertInto('tickets').values(ticketRows.slice(i, i + 500)).execute();
    for (let i = 0; i < eventRows.length; i += 1000) await trx.insertInto('events').values(eventRows.slice(i, i + 1000)).execute();
  });
  return ids;
}
