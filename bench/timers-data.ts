/**
 * Data for bench/timers.bench.ts: many open tickets holding real timers, generated fast.
 *
 * Creating 100,000 tickets one by one through the API would take minutes, so four template
 * tickets (urgent, high, normal, low; an enterprise organization, whose SLA runs on the 24x7
 * `always` calendar of the reference policy) are created through the live engine, and every
 * other ticket is a copy of one of them opened at another instant. Under a 24x7 calendar a
 * ticket opened Δ later is the same ticket with every instant moved by Δ, so a copy's engine
 * state is the template's, shifted — taken at the stage its age implies: the template's
 * timers are fired in memory by the engine (as the live scheduler would) up to that age. The
 * copy's timer rows are then what the engine derives from that state. Nothing is committed:
 * every run generates its data.
 */
import type { Kysely } from 'kysely';
import { applyPolicy } from '../src/app/apply-policy.ts';
import { createOrganization } from '../src/app/manage-organization.ts';
import { createTicket } from '../src/app/create-ticket.ts';
import { createUser } from '../src/app/create-user.ts';
import { LiveEngine } from '../src/app/live-engine.ts';
import { PolicyRegistry } from '../src/app/policy-registry.ts';
import { REFERENCE_POLICY } from '../src/app/seed-demo.ts';
import { ManualClock } from '../src/domain/clock.ts';
import { Engine } from '../src/domain/engine/engine.ts';
import type { TicketState } from '../src/domain/engine/types.ts';
import { parsePolicy } from '../src/domain/policy/parse.ts';
import type { Priority } from '../src/domain/policy/types.ts';
import type { Store } from '../src/store/connect.ts';
import { newId } from '../src/store/new-id.ts';
import type { Database } from '../src/store/schema.ts';

const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low'];

interface Stage {
  /** Age (ms since creation) at which this stage begins: the timer fired then is spent. */
  age: number;
  state: TicketState;
}

interface Template {
  row: Record<string, unknown>;
  stages: Stage[];
}

export interface Templates {
  engine: Engine;
  byPriority: Map<Priority, Template>;
  base: number;
}

/** The instants of a ticket state, moved by `d` (under a 24x7 calendar that is the whole state). */
export function shiftState(s: TicketState, d: number, ref: string): TicketState {
  const clocks: TicketState['clocks'] = {};
  for (const [metric, c] of Object.entries(s.clocks)) {
    if (!c) continue;
    clocks[metric as keyof TicketState['clocks']] = {
      ...c,
      since: c.since === null ? null : c.since + d,
      startedAt: c.startedAt + d,
      breachedAt: c.breachedAt === null ? null : c.breachedAt + d,
    };
  }
  return {
    ...s,
    ref,
    createdAt: s.createdAt + d,
    quietSince: s.quietSince + d,
    pendingAck: s.pendingAck ? { ...s.pendingAck, at: s.pendingAck.at + d } : null,
    clocks,
  };
}

/** Creates the templates through the live engine at `base` and records their stages up to `maxAge`. */
export async function makeTemplates(store: Store, base: number, maxAge: number): Promise<Templates> {
  const clock = new ManualClock(base - 60_000);
  const live = new LiveEngine(new PolicyRegistry(), clock);
  const deps = { store, clock, attachmentLimit: 1 << 20, engine: live, live };
  const admin = await createUser(deps, { email: `bench-admin-${newId()}@example.com`, name: 'Bench admin', role: 'admin', organizationId: null });
  await applyPolicy(deps, { userId: admin.id, email: admin.email, name: admin.name, role: 'admin', organizationId: null }, REFERENCE_POLICY, 'yaml');
  const org = await createOrganization(deps, { name: `Bench ${newId()}`, tier: 'enterprise', contractValue: 100000 });
  const customer = await createUser(deps, { email: `bench-customer-${newId()}@example.com`, name: 'Bench customer', role: 'customer', organizationId: org.id });
  // Staff open the templates for the customer (a customer may neither pick the channel nor ask for 'urgent').
  const actor = { userId: admin.id, email: admin.email, name: admin.name, role: admin.role, organizationId: null };
  const parsed = parsePolicy(REFERENCE_POLICY);
  if (!parsed.ok) throw new Error('the reference policy was refused');
  const engine = new Engine({ policy: parsed.policy });
  const byPriority = new Map<Priority, Template>();
  clock.set(base);
  for (const priority of PRIORITIES) {
    const { ticket } = await createTicket(deps, actor, { subject: 'Checkout down', body: 'All payments fail.', priority, channel: 'web', requesterId: customer.id });
    const row = await store.db.selectFrom('tickets').selectAll().where('id', '=', ticket.id).executeTakeFirstOrThrow();
    let state = JSON.parse(String(row.engine_state)) as TicketState;
    const stages: Stage[] = [{ age: -Infinity, state }];
    for (let i = 0; i < 200; i++) {
      const next = engine.nextTimer(state);
      if (!next || next.due - base > maxAge) break;
      const fired = engine.fire(state, next.key, next.due);
      if (!fired.ok) break;
      state = fired.state;
      stages.push({ age: next.due - base, state });
    }
    byPriority.set(priority, { row: row as unknown as Record<string, unknown>, stages });
  }
  // The templates' own timers would fire with the rest: they are not part of the load.
  await store.db.deleteFrom('timers').execute();
  return { engine, byPriority, base };
}

export interface CloneSpec {
  /** Creation instant of each copy. */
  createdAt: (i: number) => number;
  /** The moment the copies' states are taken at (timers due before it have fired). */
  asOf: number;
  /** Keeps only timer rows for which this holds (e.g. only the overdue ones). */
  keepTimer?: (due: number) => boolean;
}

/** Inserts `count` copies; returns the timer rows written. */
export async function cloneTickets(store: Store, t: Templates, count: number, spec: CloneSpec, firstNumber = 1_000_000): Promise<number> {
  const db: Kysely<Database> = store.db;
  let timers = 0;
  const chunk = 400;
  for (let startAt = 0; startAt < count; startAt += chunk) {
    const tickets: Array<Record<string, unknown>> = [];
    const rows: Array<{ id: string; ticket_id: string; kind: string; due_at: number; payload: string; created_at: number; lease_owner: null; lease_until: null }> = [];
    for (let i = startAt; i < Math.min(count, startAt + chunk); i++) {
      const priority = PRIORITIES[i % PRIORITIES.length] as Priority;
      const tpl = t.byPriority.get(priority);
      if (!tpl) throw new Error(`no template for ${priority}`);
      const createdAt = spec.createdAt(i);
      const d = createdAt - t.base;
      const age = spec.asOf - createdAt;
      let stage = tpl.stages[0] as Stage;
      for (const s of tpl.stages) if (s.age < age) stage = s;
      const number = firstNumber + i;
      const key = `ESC-${number}`;
      const id = newId(createdAt);
      const state = shiftState(stage.state, d, key);
      tickets.push({
        ...tpl.row,
        id,
        key,
        number,
        created_at: createdAt,
        updated_at: createdAt,
        status: state.status,
        level: state.level,
        team: state.team,
        engine_state: JSON.stringify(state),
        next_sla_at: null,
        escalations: state.escalations,
        ack_pending: state.pendingAck ? 1 : 0,
        version: 1,
      });
      for (const tm of t.engine.timers(state)) {
        if (spec.keepTimer && !spec.keepTimer(tm.due)) continue;
        rows.push({ id: newId(createdAt), ticket_id: id, kind: tm.key, due_at: tm.due, payload: '{}', created_at: createdAt, lease_owner: null, lease_until: null });
      }
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('tickets').values(tickets as never).execute();
      for (let k = 0; k < rows.length; k += 1000) await trx.insertInto('timers').values(rows.slice(k, k + 1000)).execute();
    });
    timers += rows.length;
  }
  return timers;
}
