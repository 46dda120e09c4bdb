/**
 * `escalon policy validate FILE`: reads a policy document (YAML, or JSON when the file ends in
 * .json) and prints `OK: …` with what it defines, or every problem as `FILE:LINE: path: message`.
 * Warnings (recipients that reach nobody) go to stderr and do not change the exit status.
 * Exit status: 0 valid, 1 problems found, 2 the file could not be read.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parsePolicy } from '../domain/policy/parse.ts';
import { recipientWarnings } from '../domain/policy/recipient-warnings.ts';
import type { Policy, PolicyProblem } from '../domain/policy/types.ts';
import { policyCommand } from './policy-group.ts';
import { fileProblem } from './runtime.ts';

export function register(program: Command): void {
  policyCommand(program)
    .command('validate')
    .description('check a policy document and list every problem with its line')
    .argument('<file>', 'the policy document (.yaml, .yml or .json)')
    .action((file: string) => {
      // A reader that stops early (`| head`) closes the pipe; that is not an error of ours.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e;
      });
      const out: string[] = [];
      const err: string[] = [];
      process.exitCode = validatePolicyFile(file, (line) => out.push(line), (line) => err.push(line));
      if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
      if (err.length > 0) process.stderr.write(`${err.join('\n')}\n`);
    });
}

/** Validates FILE, writing the report through `out` (and a read failure through `err`); returns the exit code. */
export function validatePolicyFile(file: string, out: (line: string) => void, err: (line: string) => void): number {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    err(`escalon policy validate: cannot read ${file}: ${fileProblem(e)}`);
    return 2;
  }
  const result = parsePolicy(source, { format: /\.json$/i.test(file) ? 'json' : 'yaml' });
  if (!result.ok) {
    for (const problem of result.problems) out(formatProblem(file, problem));
    const total = result.problemsTotal;
    const listed = total > result.problems.length ? ` (the first ${result.problems.length} listed)` : '';
    err(`${total} problem${total === 1 ? '' : 's'}${listed} in ${file}; the policy was not accepted`);
    return 1;
  }
  out(summary(result.policy));
  // Recipients that resolve to nobody: worth knowing, not a reason to refuse (stderr: stdout keeps its fixed shape).
  for (const w of recipientWarnings(result.policy)) err(`${file}: warning: ${w.path}: ${w.message}`);
  return 0;
}

export function formatProblem(file: string, p: PolicyProblem): string {
  return p.line === undefined ? `${file}: ${p.path}: ${p.message}` : `${file}:${p.line}: ${p.path}: ${p.message}`;
}

/** A fixed shape (always plural) so scripts can read it. */
function summary(policy: Policy): string {
  return `OK: ${policy.levels.length} levels, ${policy.teams.length} teams, ${policy.sla.length} SLA policies, ${policy.rules.length} rules`;
}
