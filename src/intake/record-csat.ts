/**
 * The satisfaction survey of a solved ticket: the signed link leads here; one answer per
 * ticket, a rating 1–5 and an optional comment, recorded as a `csat.received` event (public:
 * the customer gave it) in the same transaction as the answer.
 */
import type { AppDeps } from '../app/deps.ts';
import { DomainError } from '../domain/errors.ts';
import { loadVisibleTicket } from '../app/ticket-access.ts';
import type { Actor } from '../auth/roles.ts';
import { checkSurveyToken } from '../notify/signed-links.ts';
import { appendTicketEvents } from '../app/append-ticket-events.ts';
import { inTransaction } from '../app/unit-of-work.ts';

export interface SurveyInfo {
  ticketId: string;
  ticketKey: string;
  subject: string;
  answered: boolean;
}

async function openSurvey(deps: AppDeps, secret: string, token: string): Promise<SurveyInfo & { status: string; requesterId: string }> {
  const check = checkSurveyToken(secret, token, deps.clock.now());
  if (check.kind === 'invalid') throw new DomainError('SURVEY_LINK_INVALID', 'this survey link is not valid; use the link from your email exactly', {});
  if (check.kind === 'expired') throw new DomainError('SURVEY_LINK_INVALID', 'this survey link has expired', {});
  const t = await deps.store.db.selectFrom('tickets').select(['id', 'key', 'subject', 'status', 'requester_id']).where('id', '=', check.ticketId).executeTakeFirst();
  if (!t) throw new DomainError('SURVEY_LINK_INVALID', 'this survey link is not valid', {});
  const answer = await deps.store.db.selectFrom('csat_responses').select('ticket_id').where('ticket_id', '=', t.id).executeTakeFirst();
  return { ticketId: t.id, ticketKey: t.key, subject: t.subject, status: t.status, requesterId: t.requester_id, answered: answer !== undefined };
}

export async function readSurvey(deps: AppDeps, secret: string, token: string): Promise<SurveyInfo> {
  const s = await openSurvey(deps, secret, token);
  return { ticketId: s.ticketId, ticketKey: s.ticketKey, subject: s.subject, answered: s.answered };
}

export async function recordCsat(deps: AppDeps, secret: string, token: string, input: { rating: number; comment: string | null }): Promise<SurveyInfo> {
  return storeAnswer(deps, await openSurvey(deps, secret, token), input);
}

/**
 * The same survey answered from the portal by a signed-in customer: their organization's
 * ticket (another one answers like a missing ticket), once it is solved.
 */
export async function rateTicket(deps: AppDeps, actor: Actor, ref: string, input: { rating: number; comment: string | null }): Promise<SurveyInfo> {
  const t = await loadVisibleTicket(deps.store.db, actor, ref);
  const answer = await deps.store.db.selectFrom('csat_responses').select('ticket_id').where('ticket_id', '=', t.id).executeTakeFirst();
  return storeAnswer(
    deps,
    { ticketId: t.id, ticketKey: t.key, subject: t.subject, status: t.status, requesterId: actor.userId, answered: answer !== undefined },
    input,
  );
}

async function storeAnswer(
  deps: AppDeps,
  s: SurveyInfo & { status: string; requesterId: string },
  input: { rating: number; comment: string | null },
): Promise<SurveyInfo> {
  if (s.status !== 'solved' && s.status !== 'closed') {
    throw new DomainError('SURVEY_NOT_OPEN', `ticket ${s.ticketKey} is ${s.status}: the survey opens when it is solved`, { ticket: s.ticketKey, status: s.status });
  }
  if (s.answered) throw new DomainError('SURVEY_ALREADY_ANSWERED', `the survey of ${s.ticketKey} was already answered; thank you`, { ticket: s.ticketKey });
  const at = deps.clock.now();
  try {
    await inTransaction(deps.store, deps.live?.signals, async (trx, uow) => {
      await trx.insertInto('csat_responses').values({ ticket_id: s.ticketId, rating: input.rating, comment: input.comment, received_at: at }).execute();
      await appendTicketEvents(trx, uow, s.ticketId, { at, recordedAt: at, actor: `user:${s.requesterId}` }, [
        { type: 'csat.received', payload: { rating: input.rating, comment: input.comment, satisfied: input.rating >= 4 }, internal: false },
      ]);
    });
  } catch (err) {
    if (/unique|duplicate key/i.test((err as Error).message)) throw new DomainError('SURVEY_ALREADY_ANSWERED', `the survey of ${s.ticketKey} was already answered; thank you`, { ticket: s.ticketKey });
    throw err;
  }
  return { ticketId: s.ticketId, ticketKey: s.ticketKey, subject: s.subject, answered: true };
}
