/**
 * The applied policy versions (append-only in `policies`, the highest in force): the list with
 * a one-line summary of what each version changed from the one before, one version's document,
 * the comparison of two versions (a line diff of the documents and what changed section by
 * section), and rollback — an old version's document applied as the next version, after a plan.
 */
import type { Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { lineDiff, unifiedDiff, type DiffLine } from '../domain/line-diff.ts';
import { parsePolicy } from '../domain/policy/parse.ts';
import { diffPolicies, summarizeChanges, type PolicyChanges } from '../domain/policy/policy-diff.ts';
import type { Policy } from '../domain/policy/types.ts';
import { listPolicies, policyVersion, type StoredPolicy } from '../store/policies-repo.ts';
import { reapplyVersion, type PlanResult, type PolicyDeps } from './apply-policy.ts';
import type { AppDeps } from './deps.ts';

export interface PolicyVersionSummary {
  version: number;
  appliedAt: number;
  appliedBy: string;
  rollbackOf: number | null;
  /** `levels 3, teams 5, SLA 2, rules 9`. */
  contents: string;
  /** What changed from the previous version (`rules +1 ~2`), `first version`, or `rollback to version N: …`. */
  summary: string;
}

export interface PolicyComparison {
  from: number;
  to: number;
  changes: PolicyChanges;
  summary: string;
  lines: DiffLine[];
  unified: string;
}

/** Stored versions were validated when applied; one that no longer parses is shown, not compared. */
function parsed(p: StoredPolicy): Policy | null {
  const r = parsePolicy(p.source, { format: p.format });
  return r.ok ? r.policy : null;
}

export async function listPolicyVersions(deps: AppDeps): Promise<PolicyVersionSummary[]> {
  const all = await listPolicies(deps.store.db);
  const policies = all.map(parsed);
  return all.map((p, i) => {
    const policy = policies[i] ?? null;
    const previous = i + 1 < all.length ? (policies[i + 1] ?? null) : null;
    const contents = policy ? `levels ${policy.levels.length}, teams ${policy.teams.length}, SLA ${policy.sla.length}, rules ${policy.rules.length}` : 'no longer validates';
    let summary = i + 1 === all.length ? 'first version' : policy && previous ? summarizeChanges(diffPolicies(previous, policy)) : 'not comparable';
    if (p.rollbackOf) summary = `rollback to version ${p.rollbackOf}: ${summary}`;
    return { version: p.version, appliedAt: p.appliedAt, appliedBy: p.appliedBy, rollbackOf: p.rollbackOf ?? null, contents, summary };
  });
}

export async function readPolicyVersion(deps: AppDeps, version: number): Promise<StoredPolicy> {
  const p = await policyVersion(deps.store.db, version);
  if (!p) {
    const latest = (await listPolicies(deps.store.db))[0]?.version ?? 0;
    throw new DomainError('POLICY_VERSION_NOT_FOUND', latest === 0 ? 'no policy has been applied yet' : `there is no policy version ${version}; versions run from 1 to ${latest}`, { version, latest });
  }
  return p;
}

/** What changed going from version `from` to version `to` (either order). */
export async function comparePolicyVersions(deps: AppDeps, from: number, to: number): Promise<PolicyComparison> {
  const a = await readPolicyVersion(deps, from);
  const b = await readPolicyVersion(deps, to);
  const pa = parsed(a);
  const pb = parsed(b);
  const lines = lineDiff(a.source, b.source);
  const changes = pb ? diffPolicies(pa, pb) : diffPolicies(null, { formatVersion: 1, calendars: {}, levels: [], teams: [], sla: [], rules: [], templates: [], rootCauses: [], playbooks: { checklists: [], macros: [] } });
  return { from, to, changes, summary: summarizeChanges(changes), lines, unified: unifiedDiff(lines) };
}

/** Plans (dryRun) or applies version `version`'s document as the next version. */
export async function rollbackPolicy(deps: PolicyDeps, actor: Actor, version: number, dryRun: boolean): Promise<PlanResult> {
  const stored = await readPolicyVersion(deps, version);
  return reapplyVersion(deps, actor, stored, dryRun);
}
