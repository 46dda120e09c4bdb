/** `escalon policy history`: every applied version, newest first, with who applied it and what it changed. */
import type { Command } from 'commander';
import { listPolicyVersions } from '../app/policy-history.ts';
import { policyCommand } from './policy-group.ts';
import { withPolicyDeps } from './policy-store.ts';
import { fail } from './runtime.ts';

export function register(program: Command): void {
  policyCommand(program)
    .command('history')
    .description('list the applied policy versions, newest first')
    .option('--json', 'print JSON instead of a table')
    .action(async (o: { json?: boolean }) => {
      try {
        const versions = await withPolicyDeps((deps) => listPolicyVersions(deps));
        if (o.json) {
          process.stdout.write(`${JSON.stringify(versions.map((v) => ({ version: v.version, applied_at: new Date(v.appliedAt).toISOString(), applied_by: v.appliedBy, rollback_of: v.rollbackOf, contents: v.contents, summary: v.summary })), null, 2)}\n`);
          return;
        }
        if (versions.length === 0) {
          process.stderr.write('no policy has been applied yet (escalon policy apply FILE)\n');
          return;
        }
        for (const [i, v] of versions.entries()) {
          const mark = i === 0 ? '*' : ' ';
          process.stdout.write(`${mark} v${v.version}  ${new Date(v.appliedAt).toISOString()}  ${v.appliedBy}  ${v.contents}  — ${v.summary}\n`);
        }
      } catch (err) {
        fail(err);
      }
    });
}
