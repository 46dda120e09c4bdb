/**
 * `escalon policy plan FILE`, `escalon policy apply FILE`, `escalon policy export [--out FILE]`:
 * the policy in the database from the command line, as `POST /api/v1/policy/plan`,
 * `PUT /api/v1/policy` and `GET /api/v1/policy` do over HTTP. A document with problems is
 * refused whole, each problem printed as FILE:LINE: path: message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { applyPolicy, planPolicy, type PlanResult } from '../app/apply-policy.ts';
import { DomainError } from '../domain/errors.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { latestPolicy } from '../store/policies-repo.ts';
import { policyCommand } from './policy-group.ts';
import { CLI_ACTOR, withPolicyDeps } from './policy-store.ts';
import { fail, failUnreadable, loadConfigOrExit, withStore } from './runtime.ts';

function readDocument(command: string, file: string): { text: string; format: 'yaml' | 'json' } {
  try {
    return { text: readFileSync(file, 'utf8'), format: file.endsWith('.json') ? 'json' : 'yaml' };
  } catch (e) {
    failUnreadable(command, file, e);
  }
}

export function printPlan(p: PlanResult, applied: boolean): void {
  const w = (s: string) => process.stdout.write(`${s}\n`);
  const rollback = p.rollback_of ? ` = version ${p.rollback_of} rolled back to` : '';
  w(`${applied ? 'applied' : 'would apply'} version ${p.next_version}${rollback} (in force: ${p.current_version || 'none'})`);
  const sections = [['levels', p.levels], ['teams', p.teams], ['SLA policies', p.sla], ['rules', p.rules], ['calendars', p.calendars], ['root causes', p.root_causes], ['playbooks', p.playbooks]] as const;
  for (const [what, d] of sections) {
    for (const k of ['added', 'removed', 'changed'] as const) if (d[k].length) w(`  ${what} ${k}: ${d[k].join(', ')}`);
  }
  w(`  open tickets re-applied: ${p.tickets_reapplied}; clocks whose breach moment moves: ${p.clocks.length}`);
  for (const c of p.clocks.slice(0, 50)) w(`    ${c.ticket} ${c.metric}: ${c.due_before ?? '—'} → ${c.due_after ?? '—'}`);
  if (p.clocks.length > 50) w(`    … and ${p.clocks.length - 50} more`);
  for (const x of p.warnings) w(`  warning: ${x.path}: ${x.message}`);
}

async function run(file: string, apply: boolean): Promise<void> {
  const doc = readDocument(apply ? 'policy apply' : 'policy plan', file);
  try {
    const plan = await withPolicyDeps((deps) => (apply ? applyPolicy(deps, CLI_ACTOR, doc.text, doc.format) : planPolicy(deps, CLI_ACTOR, doc.text, doc.format)));
    printPlan(plan, apply);
  } catch (err) {
    if (err instanceof DomainError && (err.code === 'POLICY_INVALID' || err.code === 'POLICY_TOO_COMPLEX')) {
      const details = err.details as { problems?: Array<{ path: string; line: number | null; message: string }>; problems_total?: number };
      const problems = details.problems ?? [];
      for (const p of problems) process.stderr.write(`${file}:${p.line ?? '?'}: ${p.path}: ${p.message}\n`);
      const total = details.problems_total ?? problems.length;
      process.stderr.write(`${total} problem(s)${total > problems.length ? ` (the first ${problems.length} listed)` : ''}; nothing was applied\n`);
      process.exit(1);
    }
    fail(err);
  }
}

export function register(program: Command): void {
  const policy = policyCommand(program);
  policy
    .command('plan')
    .description('show what applying a policy document would change (nothing is written)')
    .argument('<file>', 'the policy document (.yaml, .yml or .json)')
    .action((file: string) => run(file, false));
  policy
    .command('apply')
    .description('apply a policy document as the next version; open tickets are re-applied')
    .argument('<file>', 'the policy document (.yaml, .yml or .json)')
    .action((file: string) => run(file, true));
  policy
    .command('export')
    .description('print the policy in force (or write it to --out)')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (o: { out?: string }) => {
      const config = loadConfigOrExit();
      try {
        const stored = await withStore(config, async (store) => {
          if (store.dialect === 'sqlite') await migrateToLatest(store);
          return latestPolicy(store.db);
        });
        if (!stored) fail(new DomainError('NO_POLICY', 'no policy has been applied yet (escalon policy apply FILE)', {}));
        if (o.out) {
          const out = o.out;
          try {
            writeFileSync(out, stored.source);
          } catch (e) {
            failUnreadable('policy export', out, e, 'write');
          }
        } else process.stdout.write(stored.source);
        process.stderr.write(`policy version ${stored.version}, applied ${new Date(stored.appliedAt).toISOString()} by ${stored.appliedBy}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
