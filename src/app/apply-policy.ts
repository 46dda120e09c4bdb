/**
 * Policy documents in the server: validate, plan, apply (issue 4). Applying is one
 * transaction: the new version row, and every open ticket re-applied under it (team kept if
 * it still exists, SLA clocks retargeted with their elapsed time kept, timers recomputed) —
 * all or nothing. The plan is the same computation on a copy, rolled back.
 */
import type { Actor } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';
import { parsePolicy } from '../domain/policy/parse.ts';
import { recipientWarnings, type PolicyWarning } from '../domain/policy/recipient-warnings.ts';
import { diffPolicies, type SectionChanges } from '../domain/policy/policy-diff.ts';
import type { Policy, PolicyProblem } from '../domain/policy/types.ts';
import { activeStaffEmails } from '../store/users-repo.ts';
import { rowToTicket } from '../store/tickets-repo.ts';
import { insertPolicy, latestPolicy } from '../store/policies-repo.ts';
import type { AppDeps } from './deps.ts';
import type { LiveEngine } from './live-engine.ts';
import { loadEngineState } from './live-engine.ts';
import { inTransaction } from './unit-of-work.ts';

export interface PolicyDeps extends AppDeps {
  live: LiveEngine;
}

export function validatePolicySource(source: string, format: 'yaml' | 'json'): { policy: Policy } {
  const parsed = parsePolicy(source, { format });
  if (!parsed.ok) {
    const problems = parsed.problems.map((p: PolicyProblem) => ({ path: p.path, line: p.line ?? null, message: p.message }));
    const t = parsed.tooComplex;
    if (t) {
      throw new DomainError('POLICY_TOO_COMPLEX', `${t.message}; nothing was applied`, {
        limit: t.limit,
        max: t.max,
        found: t.found,
        path: t.path,
        line: t.line ?? null,
        problems,
      });
    }
    const listed = parsed.problemsTotal > problems.length ? ` (the first ${problems.length} listed)` : '';
    throw new DomainError('POLICY_INVALID', `the policy has ${parsed.problemsTotal} problem(s)${listed}; nothing was applied`, {
      problems,
      problems_total: parsed.problemsTotal,
    });
  }
  return { policy: parsed.policy };
}

export interface PlanResult {
  current_version: number;
  next_version: number;
  /** Set when this is a rollback: the version whose document is re-applied. */
  rollback_of: number | null;
  levels: SectionChanges;
  rules: SectionChanges;
  teams: SectionChanges;
  sla: SectionChanges;
  calendars: SectionChanges;
  root_causes: SectionChanges;
  playbooks: SectionChanges;
  clocks: Array<{ ticket: string; metric: string; due_before: string | null; due_after: string | null }>;
  tickets_reapplied: number;
  /** Recipients that resolve to nobody, and people without an account: shown, never refused. */
  warnings: PolicyWarning[];
}

class Rollback extends Error {
  constructor(readonly plan: PlanResult) {
    super('plan only');
  }
}

/**
 * The version in force, compiled to compare with the next one; null when it no longer
 * validates (a release tightened the policy rules): the next version then replaces it
 * outright, which is how an operator mends it.
 */
function compileOrNull(deps: PolicyDeps, current: { version: number; source: string; format: 'yaml' | 'json'; appliedAt: number; appliedBy: string }) {
  try {
    return deps.live.registry.compile(current.version, current.source, current.format, current.appliedAt, current.appliedBy);
  } catch {
    return null;
  }
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

async function applyOrPlan(deps: PolicyDeps, actor: Actor, source: string, format: 'yaml' | 'json', dryRun: boolean, rollbackOf: number | null = null): Promise<PlanResult> {
  const { policy } = validatePolicySource(source, format);
  const at = deps.clock.now();
  const run = () =>
    inTransaction(deps.store, deps.live.signals, async (trx, uow) => {
      const current = await latestPolicy(trx);
      const version = (current?.version ?? 0) + 1;
      const before = current ? compileOrNull(deps, current) : null;
      const next = deps.live.registry.compile(version, source, format, at, actor.email);
      await insertPolicy(trx, { version, source, format, appliedAt: at, appliedBy: actor.email, rollbackOf });
      const plan: PlanResult = {
        current_version: current?.version ?? 0,
        next_version: version,
        rollback_of: rollbackOf,
        ...diffPolicies(before?.policy ?? null, policy),
        clocks: [],
        tickets_reapplied: 0,
        warnings: recipientWarnings(policy, await activeStaffEmails(trx)),
      };
      const rows = await trx.selectFrom('tickets').selectAll().where('status', 'not in', ['solved', 'closed']).where('engine_state', 'is not', null).execute();
      for (const row of rows) {
        const ticket = rowToTicket(row);
        const state = await loadEngineState(trx, ticket.id);
        if (!state) continue;
        const oldTimers = new Map((before?.engine.timers(state) ?? []).filter((t) => t.key.endsWith(':breach')).map((t) => [t.key, t.due]));
        await deps.live.reapply(trx, uow, next.engine, ticket, at);
        const after = await loadEngineState(trx, ticket.id);
        plan.tickets_reapplied++;
        if (!after) continue;
        const newTimers = new Map(next.engine.timers(after).filter((t) => t.key.endsWith(':breach')).map((t) => [t.key, t.due]));
        for (const key of new Set([...oldTimers.keys(), ...newTimers.keys()])) {
          if (oldTimers.get(key) === newTimers.get(key)) continue;
          plan.clocks.push({ ticket: ticket.key, metric: key.split(':')[1] ?? key, due_before: iso(oldTimers.get(key)), due_after: iso(newTimers.get(key)) });
        }
      }
      if (dryRun) throw new Rollback(plan);
      deps.live.registry.adopt(next);
      return plan;
    });
  try {
    return await run();
  } catch (e) {
    if (e instanceof Rollback) return e.plan;
    throw e;
  }
}

export function planPolicy(deps: PolicyDeps, actor: Actor, source: string, format: 'yaml' | 'json'): Promise<PlanResult> {
  return applyOrPlan(deps, actor, source, format, true);
}

export function applyPolicy(deps: PolicyDeps, actor: Actor, source: string, format: 'yaml' | 'json'): Promise<PlanResult> {
  return applyOrPlan(deps, actor, source, format, false);
}

/**
 * A stored version's document applied as the next version (a rollback): the same validation
 * and re-application as an apply; `dryRun` plans it. The old version is found in the same
 * store, so a rollback to a version that no longer validates (a rule of the parser changed)
 * is refused whole like any document with problems.
 */
export function reapplyVersion(deps: PolicyDeps, actor: Actor, stored: { version: number; source: string; format: 'yaml' | 'json' }, dryRun: boolean): Promise<PlanResult> {
  return applyOrPlan(deps, actor, stored.source, stored.format, dryRun, stored.version);
}
