/**
 * `escalon policy rollback VERSION [--yes]`: applies an old version's document as the next
 * version. Without --yes it only plans (what would change, which clocks move) and writes nothing.
 */
import type { Command } from 'commander';
import { rollbackPolicy } from '../app/policy-history.ts';
import { printPlan } from './policy-apply.ts';
import { policyCommand } from './policy-group.ts';
import { CLI_ACTOR, withPolicyDeps } from './policy-store.ts';
import { fail } from './runtime.ts';
import { versionArgument } from './policy-version-arg.ts';

export function register(program: Command): void {
  policyCommand(program)
    .command('rollback')
    .description('plan re-applying an old policy version as the next one; --yes applies it')
    .argument('<version>', 'the version to roll back to', versionArgument)
    .option('--yes', 'apply it (without: plan only, nothing is written)')
    .action(async (version: number, o: { yes?: boolean }) => {
      try {
        const plan = await withPolicyDeps((deps) => rollbackPolicy(deps, CLI_ACTOR, version, o.yes !== true));
        printPlan(plan, o.yes === true);
        if (!o.yes) process.stdout.write(`nothing written; run again with --yes to apply\n`);
      } catch (err) {
        fail(err);
      }
    });
}
