/**
 * Team → level from the latest applied policy (the `policies` table). The engine's
 * `ticket.assigned` event names a new team but not its level, so the derivation needs the
 * map to follow a transfer across levels. Parsed once per policy version.
 */
import type { Kysely } from 'kysely';
import { parsePolicy } from '../domain/policy/parse.ts';
import type { ReportEvent } from '../domain/reporting/ticket-facts.ts';
import type { Database } from '../store/schema.ts';

let cached: { version: number; levels: Record<string, string> } | null = null;

export function teamLevelsOf(policy: { teams: ReadonlyArray<{ id: string; level: string }> }): Record<string, string> {
  return Object.fromEntries(policy.teams.map((t) => [t.id, t.level]));
}

/** The map of the latest applied policy; empty when none is applied or it cannot be read. */
export async function loadTeamLevels(db: Kysely<Database>): Promise<Record<string, string>> {
  const latest = await db.selectFrom('policies').select(['version', 'source', 'format']).orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!latest) return {};
  if (cached?.version === latest.version) return cached.levels;
  const parsed = parsePolicy(latest.source, { format: latest.format === 'json' ? 'json' : 'yaml' });
  const levels = parsed.ok ? teamLevelsOf(parsed.policy) : {};
  cached = { version: latest.version, levels };
  return levels;
}

/** True when some event moves the ticket to a team without saying its level. */
export function needsTeamLevels(events: readonly ReportEvent[]): boolean {
  return events.some((e) => e.type === 'ticket.assigned' && typeof e.payload.team === 'string' && typeof e.payload.level !== 'string');
}
