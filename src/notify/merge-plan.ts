/**
 * Merge decisions, as pure functions (the dispatcher only does the I/O around them).
 *
 * A message to a person (email, SMS — never a webhook) that is not urgent and not a reply in a
 * customer conversation is *mergeable*: it waits until the merge window after its creation has
 * passed (and until the window after the last message sent to that address about the ticket),
 * then goes as ONE message with every other waiting notice to the same address about the same
 * ticket created within the window. Identical notices (same subject and text) are said once, and
 * a message identical to one already sent to the address within the window is not sent again.
 */
import { createHash } from 'node:crypto';
import type { RenderedMessage } from './templates/render.ts';

export interface MergeRowFacts {
  id: string;
  createdAt: number;
  channel: string;
  audience: string;
  urgent: boolean;
  /** `reply` rows (a conversation with the customer) are delivered as they are, never held or merged. */
  kind: string | undefined;
}

export function isMergeable(row: Pick<MergeRowFacts, 'channel' | 'urgent' | 'kind'>): boolean {
  return !row.urgent && row.channel !== 'webhook' && !row.channel.startsWith('reply:') && row.kind !== 'reply';
}

export type HoldDecision = { kind: 'go' } | { kind: 'hold'; until: number; reason: string };

/** Whether a mergeable row goes now or waits to gather the notices that follow it. */
export function holdDecision(row: Pick<MergeRowFacts, 'createdAt'>, now: number, lastSentAt: number | null, windowMs: number): HoldDecision {
  const gather = row.createdAt + windowMs;
  const quiet = lastSentAt === null ? -Infinity : lastSentAt + windowMs;
  const until = Math.max(gather, quiet);
  if (now >= until) return { kind: 'go' };
  const why = quiet >= gather ? `merge window after the message of ${new Date(lastSentAt ?? 0).toISOString()}` : 'gathering updates for one message';
  return { kind: 'hold', until, reason: `held: ${why} until ${new Date(until).toISOString()}` };
}

/** The waiting rows one message about `head` takes in: same audience, mergeable, created within the window after it. */
export function pickAbsorbed<T extends MergeRowFacts>(head: MergeRowFacts, candidates: readonly T[], windowMs: number, limit = 20): T[] {
  return candidates
    .filter((c) => c.id !== head.id && c.audience === head.audience && c.channel === head.channel && isMergeable(c))
    .filter((c) => c.createdAt >= head.createdAt && c.createdAt <= head.createdAt + windowMs)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    .slice(0, limit);
}

/** The notices with identical ones (same subject and text) said once, in their order. */
export function distinctParts(parts: readonly RenderedMessage[]): RenderedMessage[] {
  const seen = new Set<string>();
  return parts.filter((p) => {
    const key = `${p.subject}\n${p.text.trim()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function contentHash(message: { subject: string; text: string }): string {
  return createHash('sha256').update(`${message.subject}\n${message.text.trim()}`).digest('hex');
}

/** Whether this message, queued at `createdAt`, repeats word for word one sent to the address within the window. */
export function repeatsSent(hash: string, lastSent: { hash: string | null; at: number } | null, createdAt: number, windowMs: number): boolean {
  return lastSent !== null && lastSent.hash === hash && Math.abs(createdAt - lastSent.at) < windowMs;
}
