/** Escalation risk (issue 14): a ticket's score, the likely-to-breach queue and the model's quality, as the server declares them. */
import { get, type ResponseOf } from '../api.ts';

/** A ticket's latest score with its reasons (staff only; null without a model in force or a score yet). */
export type RiskView = NonNullable<ResponseOf<'get', '/tickets/{ticketRef}'>['risk']>;
export type RiskBand = RiskView['band'];
export type LikelyToBreach = ResponseOf<'get', '/queues/likely-to-breach'>;
export type LikelyToBreachItem = LikelyToBreach['items'][number];
export type RiskModelInfo = NonNullable<LikelyToBreach['model']>;
export type RiskQuality = ResponseOf<'get', '/risk/quality'>;
export type ReliabilityBin = RiskQuality['reliability'][number];

export const likelyToBreach = (query: { team?: string; band?: RiskBand; limit?: number; cursor?: string }) => get('/queues/likely-to-breach', { params: { query } });

export const riskQuality = (team?: string) => get('/risk/quality', { params: { query: team ? { team } : {} } });

/** A probability as a whole percentage ("72%"). */
export const riskPercent = (score: number): string => `${Math.round(score * 100)}%`;

/** A reason's effect in percentage points, signed ("+12 pts", "−4 pts"). */
export function effectPoints(effect: number): string {
  const pts = Math.round(effect * 100);
  if (pts === 0) return effect >= 0 ? '+<1 pt' : '−<1 pt';
  return `${pts > 0 ? '+' : '−'}${Math.abs(pts)} pt${Math.abs(pts) === 1 ? '' : 's'}`;
}
