/** SQL of held web-form messages (see hold-web-message.ts for their life). */
import type { Kysely, Selectable } from 'kysely';
import type { Database, IntakeHoldsTable } from '../store/schema.ts';

type Db = Kysely<Database>;
export type IntakeHold = Selectable<IntakeHoldsTable>;

export async function insertHold(db: Db, h: IntakeHold): Promise<void> {
  await db.insertInto('intake_holds').values(h).execute();
}

export async function findHoldByDigest(db: Db, digest: string): Promise<IntakeHold | undefined> {
  return db.selectFrom('intake_holds').selectAll().where('token_digest', '=', digest).executeTakeFirst();
}

/** Unconfirmed holds past their expiry lose their text (kept: the row, for the per-address cap and the audit). */
export async function expireHolds(db: Db, now: number): Promise<number> {
  const r = await db
    .updateTable('intake_holds')
    .set({ status: 'expired', subject: '', body: '' })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function markHoldConfirmed(db: Db, id: string, ticketId: string, at: number): Promise<void> {
  await db.updateTable('intake_holds').set({ status: 'confirmed', ticket_id: ticketId, confirmed_at: at, body: '' }).where('id', '=', id).execute();
}

/**
 * Web-form submissions from one address since a moment: tickets and comments it made plus
 * the holds it caused, with the oldest moment (to say when the next one is allowed).
 */
export async function webSubmissionsSince(db: Db, email: string, since: number): Promise<{ count: number; oldest: number | null }> {
  const [m, h] = await Promise.all([
    db
      .selectFrom('inbound_messages')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('received_at').as('oldest')])
      .where('channel', '=', 'web')
      .where('sender', '=', email)
      .where('external_id', 'not like', 'hold:%')
      .where('received_at', '>', since)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('intake_holds')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('created_at').as('oldest')])
      .where('email', '=', email)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow(),
  ]);
  const oldest = [m.oldest, h.oldest].filter((v) => v !== null && v !== undefined).map(Number);
  return { count: Number(m.n) + Number(h.n), oldest: oldest.length ? Math.min(...oldest) : null };
}
