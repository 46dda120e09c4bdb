/** Post-resolution reviews: one row per ticket, replaced on each save (the history is in the ticket's events). */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface ReviewAction {
  description: string;
  /** The user who owns the action. */
  ownerId: string;
  /** A local day, YYYY-MM-DD. */
  due: string;
  done: boolean;
}

export interface StoredReview {
  ticketId: string;
  rootCause: string;
  rootCauseDetail: string;
  wentWell: string;
  wentBadly: string;
  actions: ReviewAction[];
  recordedBy: string;
  recordedAt: number;
  updatedBy: string;
  updatedAt: number;
  revision: number;
}

export async function findReview(db: Kysely<Database>, ticketId: string): Promise<StoredReview | undefined> {
  const r = await db.selectFrom('ticket_reviews').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
  if (!r) return undefined;
  return {
    ticketId: r.ticket_id,
    rootCause: r.root_cause,
    rootCauseDetail: r.root_cause_detail,
    wentWell: r.went_well,
    wentBadly: r.went_badly,
    actions: JSON.parse(r.actions) as ReviewAction[],
    recordedBy: r.recorded_by,
    recordedAt: Number(r.recorded_at),
    updatedBy: r.updated_by,
    updatedAt: Number(r.updated_at),
    revision: Number(r.revision),
  };
}

export async function saveReview(db: Kysely<Database>, r: StoredReview): Promise<void> {
  const values = {
    root_cause: r.rootCause,
    root_cause_detail: r.rootCauseDetail,
    went_well: r.wentWell,
    went_badly: r.wentBadly,
    actions: JSON.stringify(r.actions),
    recorded_by: r.recordedBy,
    recorded_at: r.recordedAt,
    updated_by: r.updatedBy,
    updated_at: r.updatedAt,
    revision: r.revision,
  };
  if (r.revision === 1) await db.insertInto('ticket_reviews').values({ ticket_id: r.ticketId, ...values }).execute();
  else await db.updateTable('ticket_reviews').set(values).where('ticket_id', '=', r.ticketId).execute();
}
