/**
 * Retry delays: exponential from `baseMs`, capped at `capMs`, with "equal jitter" (half the
 * delay fixed, half random) so a crowd of rows failing together does not retry together, yet
 * no retry comes sooner than half the nominal delay. A receiver's Retry-After wins when longer.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export function retryDelay(attempt: number, o: BackoffOptions, random: () => number, retryAfterMs?: number): number {
  const nominal = Math.min(o.capMs, o.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jittered = Math.round(nominal / 2 + random() * (nominal / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}
