/** `escalon policy show VERSION [--out FILE]`: one applied version's document as it was applied. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readPolicyVersion } from '../app/policy-history.ts';
import { policyCommand } from './policy-group.ts';
import { withPolicyDeps } from './policy-store.ts';
import { fail, failUnreadable } from './runtime.ts';
import { versionArgument } from './policy-version-arg.ts';

export function register(program: Command): void {
  policyCommand(program)
    .command('show')
    .description('print an applied policy version (or write it to --out)')
    .argument('<version>', 'the version number (escalon policy history lists them)', versionArgument)
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (version: number, o: { out?: string }) => {
      try {
        const p = await withPolicyDeps((deps) => readPolicyVersion(deps, version));
        if (o.out) {
          const out = o.out;
          try {
            writeFileSync(out, p.source);
          } catch (e) {
            failUnreadable('policy show', out, e, 'write');
          }
        } else process.stdout.write(p.source);
        process.stderr.write(`policy version ${p.version}, applied ${new Date(p.appliedAt).toISOString()} by ${p.appliedBy}${p.rollbackOf ? ` (rollback to version ${p.rollbackOf})` : ''}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
