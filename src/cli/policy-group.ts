/**
 * The `escalon policy …` command group. Each policy subcommand (validate, plan, apply, export)
 * lives in its own file and adds itself to the one group this returns, creating it on first use.
 */
import type { Command } from 'commander';

export function policyCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'policy');
  if (existing) return existing;
  return program.command('policy').description('read, check and apply the escalation policy document');
}
