/**
 * Who is on call now, computed by the engine's own code (src/domain is pure TypeScript, so
 * the console bundles it): the active policy parsed by the domain parser, then Matrix.onCall.
 */
import { Matrix } from '../../src/domain/engine/matrix.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';

export function onCallNow(source: string, templates: readonly string[], at: number): Map<string, string | null> {
  const out = new Map<string, string | null>();
  // Template names were checked by the server when the policy was applied (it knows the overrides).
  const parsed = parsePolicy(source, { templates });
  if (!parsed.ok) return out;
  const policy = parsed.policy;
  const matrix = new Matrix(policy, (cal) => (cal ? policy.calendars[cal]?.timezone : undefined) ?? 'UTC');
  for (const t of policy.teams) out.set(t.id, matrix.onCall(t.id, at));
  return out;
}
