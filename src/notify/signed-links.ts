/**
 * Addresses and links whose meaning is protected by an HMAC of the server secret:
 *   reply address   `reply+esc-12.<mac>@domain` — a reply threads into ESC-12 only if the mac
 *                   matches, so a forged reply cannot inject into another ticket;
 *   survey token    `<ticket id>.<expiry s>.<mac>` — the satisfaction survey of one solved ticket.
 * Each purpose signs under its own label, so one kind of token never passes for another.
 * Local parts are lower-case hex (mail systems may fold case).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function mac(secret: string, purpose: string, value: string, length: number): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${value}`).digest('hex').slice(0, length);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function replyAddress(secret: string, ticketKey: string, domain: string): string {
  const key = ticketKey.toLowerCase();
  return `reply+${key}.${mac(secret, 'reply', key, 20)}@${domain}`;
}

export type ReplyAddressCheck = { kind: 'none' } | { kind: 'valid'; ticketKey: string } | { kind: 'forged'; ticketKey: string };

/** Reads a recipient address: not a reply address, a valid one (with its ticket key), or a forged one. */
export function checkReplyAddress(secret: string, address: string): ReplyAddressCheck {
  const m = /^reply\+([a-z][a-z0-9]*-\d{1,15})\.([0-9a-f]+)@/i.exec(address.trim());
  if (!m?.[1] || !m[2]) return { kind: 'none' };
  const key = m[1].toLowerCase();
  const ok = same(m[2].toLowerCase(), mac(secret, 'reply', key, 20));
  return { kind: ok ? 'valid' : 'forged', ticketKey: key.toUpperCase() };
}

export const SURVEY_TTL_MS = 30 * 24 * 3_600_000;

export function surveyToken(secret: string, ticketId: string, expiresAt: number): string {
  const exp = Math.floor(expiresAt / 1000);
  return `${ticketId}.${exp}.${mac(secret, 'csat', `${ticketId}.${exp}`, 32)}`;
}

export type SurveyTokenCheck = { kind: 'valid'; ticketId: string } | { kind: 'invalid' } | { kind: 'expired'; ticketId: string };

export function checkSurveyToken(secret: string, token: string, now: number): SurveyTokenCheck {
  const m = /^([0-9a-f-]{1,64})\.(\d{1,12})\.([0-9a-f]{32})$/.exec(token);
  if (!m?.[1] || !m[2] || !m[3]) return { kind: 'invalid' };
  if (!same(m[3], mac(secret, 'csat', `${m[1]}.${m[2]}`, 32))) return { kind: 'invalid' };
  if (Number(m[2]) * 1000 < now) return { kind: 'expired', ticketId: m[1] };
  return { kind: 'valid', ticketId: m[1] };
}
