/**
 * Durations as the policy writes them: `30s`, `15m`, `4h`, `1d`, and combinations largest unit
 * first (`1h30m`, `1d12h`). A day is 24 hours of whatever time the caller counts in (business
 * time for SLA targets). `ms` is accepted as a last part so that formatDuration round-trips.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds for `15m`, `4h`, `90m`, `1d`, `30s`, `1h30m`; null when not a duration. */
export function parseDuration(text: string): number | null {
  if (text.length === 0) return null;
  const m = DURATION.exec(text);
  if (!m) return null;
  let total = 0;
  let any = false;
  for (let i = 0; i < ORDER.length; i++) {
    const part = m[i + 1];
    if (part === undefined) continue;
    any = true;
    total += Number(part) * UNIT_MS[ORDER[i] as Unit];
  }
  return any && Number.isSafeInteger(total) ? total : null;
}

/** The shortest policy spelling of a duration: 5_400_000 → `1h30m`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`not a finite duration: ${ms}`);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ORDER) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
