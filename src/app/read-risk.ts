/**
 * Reads of escalation risk (issue 14) for staff: the model in force, a ticket's latest score
 * with its reasons, the scores of a page of tickets, and the "likely to breach" queue — open
 * tickets scored by the model in force, riskiest first. Customers never reach these: the
 * routes are staff-only and the ticket routes add risk only for staff.
 *
 * The scores themselves are written by the live scorer (tickets.risk_*, migration 0020); this
 * module only reads them. With no model in force the feature is absent: no ticket shows a
 * score (one left from a retired model is not maintained any more) and the queue is empty.
 */
import { decodePairCursor } from './read-tickets.ts';
import { DomainError } from '../domain/errors.ts';
import { RISK_BAND_FLOORS, RISK_BANDS, riskBand, type RiskBand, type RiskModelMeta, type RiskReason } from '../domain/risk/api.ts';
import type { Ticket } from '../domain/ticket.ts';
import type { Store } from '../store/connect.ts';
import { rowToTicket } from '../store/tickets-repo.ts';
import type { AppDeps } from './deps.ts';

type Db = Store['db'];

/** The risk model in force: the highest version of risk_models, with its meta. */
export interface ModelInForce {
  version: number;
  meta: RiskModelMeta;
  activatedAt: number;
  activatedBy: string | null;
}

/** A ticket's latest score as staff see it. */
export interface RiskView {
  score: number;
  band: RiskBand;
  /** The features that moved the score most, largest effect first. */
  reasons: RiskReason[];
  at: string | null;
  /** The id of the model that gave the score. */
  model: string | null;
}

/** What an admin runs to put a model in force (shown wherever the feature is absent). */
export const NO_MODEL_HINT = 'No risk model is in force. An admin activates one with `escalon risk use MODEL.json` (train it first with `escalon risk train`), or through PUT /api/v1/risk/model.';

export async function modelInForce(db: Db): Promise<ModelInForce | null> {
  const row = await db.selectFrom('risk_models').select(['version', 'meta', 'activated_at', 'activated_by']).orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!row) return null;
  let meta: RiskModelMeta;
  try {
    meta = JSON.parse(row.meta) as RiskModelMeta;
  } catch {
    throw new DomainError('INTERNAL', `risk model version ${row.version} has a meta that is not JSON; activate the model again with \`escalon risk use MODEL.json\``, { version: row.version });
  }
  return { version: Number(row.version), meta, activatedAt: Number(row.activated_at), activatedBy: row.activated_by };
}

interface RiskColumns {
  risk_score: number | null;
  risk_band: string | null;
  risk_reasons: string | null;
  risk_at: number | string | null;
  risk_model: string | null;
}

function parseReasons(raw: string | null): RiskReason[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((r): r is RiskReason => typeof r === 'object' && r !== null && typeof (r as RiskReason).feature === 'string' && typeof (r as RiskReason).effect === 'number' && Number.isFinite((r as RiskReason).effect))
    .map((r) => ({ feature: r.feature, effect: r.effect }));
}

/** The stored score as a view; null when the ticket has none. `reasons` keeps the first `maxReasons`. */
export function riskViewOf(row: RiskColumns, maxReasons = Infinity): RiskView | null {
  if (row.risk_score === null || row.risk_score === undefined) return null;
  const score = Number(row.risk_score);
  if (!Number.isFinite(score)) return null;
  const band = (RISK_BANDS as readonly string[]).includes(row.risk_band ?? '') ? (row.risk_band as RiskBand) : riskBand(score);
  return {
    score,
    band,
    reasons: parseReasons(row.risk_reasons).slice(0, maxReasons),
    at: row.risk_at === null ? null : new Date(Number(row.risk_at)).toISOString(),
    model: row.risk_model,
  };
}

const RISK_COLUMNS = ['risk_score', 'risk_band', 'risk_reasons', 'risk_at', 'risk_model'] as const;

/** One ticket's risk (null without a model in force or without a score). */
export async function ticketRisk(deps: AppDeps, ticketId: string): Promise<RiskView | null> {
  const db = deps.store.db;
  if (!(await modelInForce(db))) return null;
  const row = await db.selectFrom('tickets').select(RISK_COLUMNS).where('id', '=', ticketId).executeTakeFirst();
  return row ? riskViewOf(row) : null;
}

/** The scores of several tickets (a list page), by ticket id; empty without a model in force. */
export async function risksOf(deps: AppDeps, ticketIds: readonly string[]): Promise<Map<string, RiskView>> {
  const out = new Map<string, RiskView>();
  if (ticketIds.length === 0) return out;
  const db = deps.store.db;
  if (!(await modelInForce(db))) return out;
  const rows = await db
    .selectFrom('tickets')
    .select(['id', ...RISK_COLUMNS])
    .where('id', 'in', [...ticketIds])
    .where('risk_score', 'is not', null)
    .execute();
  for (const row of rows) {
    const view = riskViewOf(row);
    if (view) out.set(row.id, view);
  }
  return out;
}

export interface LikelyToBreachFilter {
  /** A team id, or several comma-separated. */
  team?: string;
  level?: string;
  /** Only tickets at or above this band. */
  band?: RiskBand;
  limit: number;
  cursor?: string;
}

export interface LikelyToBreach {
  model: ModelInForce | null;
  items: Array<{ ticket: Ticket; risk: RiskView }>;
  nextCursor: string | null;
}

/** Reasons shown per ticket in the queue. */
export const QUEUE_REASONS = 3;

function encodeRiskCursor(score: number, id: string): string {
  return Buffer.from(JSON.stringify([score, id])).toString('base64url');
}

function decodeRiskCursor(raw: string): { score: number; id: string } {
  const [score, id] = decodePairCursor(raw, Number.isFinite);
  return { score, id };
}

/**
 * Open tickets (not solved or closed) that have a score, highest risk first (ties by id), with
 * their band and top reasons. Paged by a cursor over (score, id); empty without a model in force.
 */
export async function likelyToBreach(deps: AppDeps, f: LikelyToBreachFilter): Promise<LikelyToBreach> {
  const db = deps.store.db;
  const model = await modelInForce(db);
  if (!model) return { model: null, items: [], nextCursor: null };
  let q = db.selectFrom('tickets').selectAll().where('status', 'not in', ['solved', 'closed']).where('risk_score', 'is not', null);
  if (f.team) q = q.where('team', 'in', f.team.split(',').filter((t) => t !== ''));
  if (f.level) q = q.where('level', '=', f.level);
  if (f.band && f.band !== 'low') q = q.where('risk_score', '>=', RISK_BAND_FLOORS[f.band]);
  if (f.cursor) {
    const after = decodeRiskCursor(f.cursor);
    q = q.where((eb) => eb.or([eb('risk_score', '<', after.score), eb.and([eb('risk_score', '=', after.score), eb('id', '>', after.id)])]));
  }
  const rows = await q.orderBy('risk_score', 'desc').orderBy('id', 'asc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  const items = page.flatMap((row) => {
    const risk = riskViewOf(row, QUEUE_REASONS);
    return risk ? [{ ticket: rowToTicket(row), risk }] : [];
  });
  const last = page[page.length - 1];
  return { model, items, nextCursor: rows.length > f.limit && last ? encodeRiskCursor(Number(last.risk_score), last.id) : null };
}
