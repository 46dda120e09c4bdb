/** Drill rows (migration 0018): drills, trainees, scenario tickets, decisions. Never touches tickets or the outbox. */
import type { Kysely } from 'kysely';
import type { DecisionScore, ExpectedOutcome, ScenarioTicket } from '../domain/drills.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

export interface StoredDrill {
  id: string;
  name: string;
  source: string;
  scenario: string;
  policyVersion: number;
  createdBy: string;
  createdAt: number;
  trainees: string[];
  ticketCount: number;
}

export type DrillTicketFacts = Omit<ScenarioTicket, 'expected'>;

export interface StoredDrillTicket {
  id: string;
  drillId: string;
  position: number;
  ref: string;
  facts: DrillTicketFacts;
  expected: ExpectedOutcome;
}

export interface StoredDecision {
  drillTicketId: string;
  userId: string;
  drillId: string;
  decision: Record<string, unknown>;
  score: DecisionScore;
  decidedAt: number;
}

export async function insertDrill(db: Db, d: Omit<StoredDrill, 'ticketCount'>, tickets: StoredDrillTicket[]): Promise<void> {
  await db.insertInto('drills').values({ id: d.id, name: d.name, source: d.source, scenario: d.scenario, policy_version: d.policyVersion, created_by: d.createdBy, created_at: d.createdAt }).execute();
  if (d.trainees.length > 0) await db.insertInto('drill_trainees').values(d.trainees.map((u) => ({ drill_id: d.id, user_id: u }))).execute();
  for (const t of tickets) {
    await db.insertInto('drill_tickets').values({ id: t.id, drill_id: d.id, position: t.position, ref: t.ref, facts: JSON.stringify(t.facts), expected: JSON.stringify(t.expected) }).execute();
  }
}

async function hydrate(db: Db, rows: Array<Database['drills']>): Promise<StoredDrill[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [trainees, counts] = await Promise.all([
    db.selectFrom('drill_trainees').select(['drill_id', 'user_id']).where('drill_id', 'in', ids).execute(),
    db.selectFrom('drill_tickets').select(['drill_id', (eb) => eb.fn.countAll<number>().as('n')]).where('drill_id', 'in', ids).groupBy('drill_id').execute(),
  ]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    source: r.source,
    scenario: r.scenario,
    policyVersion: Number(r.policy_version),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    trainees: trainees.filter((t) => t.drill_id === r.id).map((t) => t.user_id),
    ticketCount: Number(counts.find((c) => c.drill_id === r.id)?.n ?? 0),
  }));
}

/** Every drill (newest first), or those `userId` practises. */
export async function listDrills(db: Db, traineeId?: string): Promise<StoredDrill[]> {
  let q = db.selectFrom('drills').selectAll('drills');
  if (traineeId !== undefined) q = q.where('id', 'in', db.selectFrom('drill_trainees').select('drill_id').where('user_id', '=', traineeId));
  return hydrate(db, await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200).execute());
}

export async function findDrill(db: Db, id: string): Promise<StoredDrill | undefined> {
  return (await hydrate(db, await db.selectFrom('drills').selectAll().where('id', '=', id).execute()))[0];
}

export async function drillTickets(db: Db, drillId: string): Promise<StoredDrillTicket[]> {
  const rows = await db.selectFrom('drill_tickets').selectAll().where('drill_id', '=', drillId).orderBy('position').execute();
  return rows.map((r) => ({ id: r.id, drillId: r.drill_id, position: Number(r.position), ref: r.ref, facts: JSON.parse(r.facts) as DrillTicketFacts, expected: JSON.parse(r.expected) as ExpectedOutcome }));
}

export async function drillDecisions(db: Db, drillIds: string[], userId?: string): Promise<StoredDecision[]> {
  if (drillIds.length === 0) return [];
  let q = db.selectFrom('drill_decisions').selectAll().where('drill_id', 'in', drillIds);
  if (userId !== undefined) q = q.where('user_id', '=', userId);
  const rows = await q.orderBy('decided_at').execute();
  return rows.map((r) => ({
    drillTicketId: r.drill_ticket_id,
    userId: r.user_id,
    drillId: r.drill_id,
    decision: JSON.parse(r.decision) as Record<string, unknown>,
    score: JSON.parse(r.score) as DecisionScore,
    decidedAt: Number(r.decided_at),
  }));
}

/** Inserts a decision; false when this trainee already decided this ticket. */
export async function insertDecision(db: Db, d: StoredDecision): Promise<boolean> {
  const existing = await db.selectFrom('drill_decisions').select('user_id').where('drill_ticket_id', '=', d.drillTicketId).where('user_id', '=', d.userId).executeTakeFirst();
  if (existing) return false;
  const result = await db
    .insertInto('drill_decisions')
    .values({ drill_ticket_id: d.drillTicketId, user_id: d.userId, drill_id: d.drillId, decision: JSON.stringify(d.decision), score: JSON.stringify(d.score), points: d.score.points, max_points: d.score.max, decided_at: d.decidedAt })
    .onConflict((oc) => oc.columns(['drill_ticket_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The drill ids that ran a scenario (for the per-scenario sheet). */
export async function drillsOfScenario(db: Db, scenario: string): Promise<string[]> {
  return (await db.selectFrom('drills').select('id').where('scenario', '=', scenario).execute()).map((r) => r.id);
}
