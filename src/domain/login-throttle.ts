/**
 * The per-account sign-in back-off (pure; the state lives in `login_throttle`, so it holds
 * across server nodes). Every attempt on an account — known or not, from any address — counts
 * as a failure until it succeeds; the first FREE_FAILURES cost nothing, then each failure
 * closes the account to further attempts for 1 s, 2 s, 4 s … capped at MAX_DELAY_MS. An
 * attempt inside the window is refused (429 LOGIN_THROTTLED, `Retry-After`) without being
 * counted or checked, so the window never reaches further than MAX_DELAY_MS past the last
 * counted failure. A success from an unknown browser resets the count; so does a quiet
 * FORGET_AFTER_MS.
 *
 * Lock-out: a browser that signed in to the account successfully before carries a device
 * cookie (app/login.ts) and is not subject to this throttle, so someone guessing passwords
 * slows down themselves and new devices, never the owner on their own device.
 */
export const FREE_FAILURES = 5;
export const BASE_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 15 * 60_000;
export const FORGET_AFTER_MS = 24 * 3_600_000;
/** Wrong passwords sent with one device cookie before that device loses its bypass. */
export const DEVICE_MAX_FAILURES = 5;
/** How long a device stays known after its last successful sign-in. */
export const DEVICE_TTL_MS = 180 * 24 * 3_600_000;

/** How long the account is closed after its `failures`-th counted failure. */
export function backoffMs(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(30, failures - FREE_FAILURES - 1));
}

export interface ThrottleState {
  failures: number;
  lastFailedAt: number;
  blockedUntil: number;
}

/**
 * One more attempt at `now` on an account in `state` (undefined: never failed): either refused
 * with the time left, or counted, with the state to store.
 */
export function nextAttempt(state: ThrottleState | undefined, now: number): { refused: true; retryAfterMs: number } | { refused: false; next: ThrottleState } {
  const live = state && now - state.lastFailedAt < FORGET_AFTER_MS ? state : undefined;
  if (live && live.blockedUntil > now) return { refused: true, retryAfterMs: live.blockedUntil - now };
  const failures = (live?.failures ?? 0) + 1;
  return { refused: false, next: { failures, lastFailedAt: now, blockedUntil: now + backoffMs(failures) } };
}
