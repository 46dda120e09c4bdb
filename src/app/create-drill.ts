/**
 * A manager starts an escalation drill: the scenario (a shipped example, an uploaded workload,
 * or tickets sampled from history with names removed) runs through the simulation for the
 * policy in force (domain/drills.ts buildScenario); the drill, its trainees and its tickets
 * with what the policy does are stored in the drill tables only — no ticket, no event, no
 * outbox row, no report figure. The demo seed calls `createDrill` too.
 */
import type { Actor } from '../auth/roles.ts';
import { isStaff } from '../auth/roles.ts';
import { buildScenario, type Scenario } from '../domain/drills.ts';
import { DomainError } from '../domain/errors.ts';
import { SimulationError } from '../domain/simulation.ts';
import type { WorkloadLine } from '../domain/workload.ts';
import { findDrill, insertDrill, type StoredDrill, type StoredDrillTicket } from '../store/drills-repo.ts';
import { newId } from '../store/new-id.ts';
import { listUsers } from '../store/users-repo.ts';
import type { AppDeps } from './deps.ts';
import { exampleScenarios, MAX_DRILL_TICKETS, parseScenarioText, sampleHistory } from './drill-scenarios.ts';
import { PolicyRegistry } from './policy-registry.ts';
import { inTransaction } from './unit-of-work.ts';

export type ScenarioSource = { kind: 'example'; id: string } | { kind: 'upload'; workload: string; name?: string | undefined } | { kind: 'history'; count: number };

export interface CreateDrillInput {
  name?: string | undefined;
  scenario: ScenarioSource;
  /** User ids, or every active agent. */
  trainees: string[] | 'all_agents';
}

const fallback = new PolicyRegistry();

/** The policy in force, or NO_POLICY. */
export async function policyInForce(deps: AppDeps) {
  const active = await (deps.live?.registry ?? fallback).refresh(deps.store.db);
  if (!active) throw new DomainError('NO_POLICY', 'no escalation policy is applied yet: a drill compares decisions with the policy in force (PUT /api/v1/policy first)', {});
  return active;
}

export async function createDrill(deps: AppDeps, actor: Actor, input: CreateDrillInput, random: () => number = Math.random): Promise<StoredDrill> {
  const active = await policyInForce(deps);
  let lines: WorkloadLine[];
  let scenario: string;
  let title: string;
  switch (input.scenario.kind) {
    case 'example': {
      const id = input.scenario.id;
      const example = exampleScenarios().find((e) => e.id === id);
      if (!example) throw new DomainError('DRILL_SCENARIO_INVALID', `no example scenario "${id}"; choose one of: ${exampleScenarios().map((e) => e.id).join(', ')}`, { examples: exampleScenarios().map((e) => e.id) });
      lines = parseScenarioText(example.text);
      scenario = example.id;
      title = example.title;
      break;
    }
    case 'upload':
      lines = parseScenarioText(input.scenario.workload);
      scenario = `upload:${input.scenario.name?.trim() || 'workload'}`;
      title = `Uploaded: ${input.scenario.name?.trim() || 'workload'}`;
      break;
    case 'history':
      lines = await sampleHistory(deps.store.db, input.scenario.count, random);
      scenario = 'history';
      title = `${input.scenario.count} tickets from history`;
      break;
  }
  let built: Scenario;
  try {
    built = buildScenario(active.policy, lines, { policyVersion: active.version, lenient: input.scenario.kind === 'history' });
  } catch (e) {
    if (!(e instanceof SimulationError)) throw e;
    // The engine refused a line (a ticket not created yet, a move it does not allow…): say which.
    throw new DomainError('DRILL_SCENARIO_INVALID', `the scenario cannot be replayed: line ${e.line}: ${e.message.replace(/^line \d+: /, '')}`, { problems: [{ line: e.line, message: e.message.replace(/^line \d+: /, '') }] });
  }
  if (built.tickets.length === 0) throw new DomainError('DRILL_SCENARIO_INVALID', 'the scenario has no ticket.created line: a drill needs at least one ticket', {});
  if (built.tickets.length > MAX_DRILL_TICKETS) throw new DomainError('DRILL_SCENARIO_INVALID', `the scenario has ${built.tickets.length} tickets; a drill takes at most ${MAX_DRILL_TICKETS}`, { tickets: built.tickets.length, max: MAX_DRILL_TICKETS });

  const users = await listUsers(deps.store.db);
  let trainees: string[];
  if (input.trainees === 'all_agents') trainees = users.filter((u) => u.active && u.role === 'agent').map((u) => u.id);
  else {
    const unknown = input.trainees.filter((id) => !users.some((u) => u.id === id && u.active && isStaff(u.role)));
    if (unknown.length > 0) throw new DomainError('VALIDATION_FAILED', `trainees must be active staff; unknown or not staff: ${unknown.join(', ')}`, { issues: unknown.map((id) => ({ path: 'trainees', message: `no active staff user with id "${id}"` })) });
    trainees = [...new Set(input.trainees)];
  }
  if (trainees.length === 0) throw new DomainError('DRILL_SCENARIO_INVALID', 'the drill has no trainee: choose people, or "all agents" when there are agents', { trainees: [] });

  const at = deps.clock.now();
  const id = newId(at);
  const tickets: StoredDrillTicket[] = built.tickets.map(({ expected, ...facts }, position) => ({ id: newId(at), drillId: id, position, ref: facts.ref, facts, expected }));
  await inTransaction(deps.store, undefined, async (trx) => {
    await insertDrill(trx, { id, name: input.name?.trim() || title, source: input.scenario.kind, scenario, policyVersion: active.version, createdBy: actor.userId, createdAt: at, trainees }, tickets);
  });
  return (await findDrill(deps.store.db, id)) as StoredDrill;
}
