/**
 * `escalon policy diff A [B]`: what changed from version A to version B (default: the version in
 * force) — the sections' ids added, removed and changed, then a unified diff of the documents.
 */
import type { Command } from 'commander';
import { comparePolicyVersions, listPolicyVersions } from '../app/policy-history.ts';
import { policyCommand } from './policy-group.ts';
import { withPolicyDeps } from './policy-store.ts';
import { fail } from './runtime.ts';
import { versionArgument } from './policy-version-arg.ts';

export function register(program: Command): void {
  policyCommand(program)
    .command('diff')
    .description('compare two applied policy versions (B defaults to the version in force)')
    .argument('<a>', 'the older version', versionArgument)
    .argument('[b]', 'the newer version', versionArgument)
    .action(async (a: number, b: number | undefined) => {
      try {
        const c = await withPolicyDeps(async (deps) => comparePolicyVersions(deps, a, b ?? (await listPolicyVersions(deps))[0]?.version ?? a));
        const w = (s: string) => process.stdout.write(`${s}\n`);
        w(`version ${c.from} → ${c.to}: ${c.summary}`);
        for (const [name, s] of Object.entries(c.changes)) {
          for (const k of ['added', 'removed', 'changed'] as const) if (s[k].length) w(`  ${name} ${k}: ${s[k].join(', ')}`);
        }
        if (c.unified) process.stdout.write(`--- version ${c.from}\n+++ version ${c.to}\n${c.unified}`);
      } catch (err) {
        fail(err);
      }
    });
}
