/** Parses a policy version argument: a whole number from 1, or a clear refusal. */
import { InvalidArgumentError } from 'commander';

export function versionArgument(value: string): number {
  const n = Number(value.replace(/^v/i, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a policy version: give a number from 1 (escalon policy history lists them)`);
  return n;
}
