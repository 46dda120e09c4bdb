/**
 * The password policy, applied wherever a password is set (user creation through the API and
 * the CLI, an admin's reset, `escalon user set-password`, a user's own change):
 *
 * - at least 12 characters (counted as code points, so "ääääääääääää" is 12);
 * - not only whitespace;
 * - not one of the ~49,000 most common passwords of the `@zxcvbn-ts/language-common` package
 *   (compared case-insensitively, surrounding whitespace ignored).
 *
 * A refusal is `WEAK_PASSWORD` (422) naming every rule that failed and how to fix it; the
 * password itself is never echoed.
 */
import zxcvbnCommon from '@zxcvbn-ts/language-common';
import { DomainError } from '../domain/errors.ts';

export const MIN_PASSWORD_LENGTH = 12;

export type PasswordRule = 'too_short' | 'whitespace_only' | 'common';

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set((zxcvbnCommon.dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** The rules `password` breaks (empty when it is acceptable). */
export function passwordProblems(password: string): PasswordRule[] {
  const problems: PasswordRule[] = [];
  if ([...password].length < MIN_PASSWORD_LENGTH) problems.push('too_short');
  if (password.trim() === '') problems.push('whitespace_only');
  else if (commonPasswords().has(password.trim().toLowerCase())) problems.push('common');
  return problems;
}

const EXPLAIN: Record<PasswordRule, string> = {
  too_short: `it has fewer than ${MIN_PASSWORD_LENGTH} characters`,
  whitespace_only: 'it is only spaces',
  common: 'it is on the list of commonly used passwords that attackers try first',
};

/** Throws WEAK_PASSWORD when `password` breaks a rule; `field` names where it was given. */
export function assertStrongPassword(password: string, field = 'password'): void {
  const rules = passwordProblems(password);
  if (rules.length === 0) return;
  throw new DomainError(
    'WEAK_PASSWORD',
    `${field} refused: ${rules.map((r) => EXPLAIN[r]).join('; ')}. Choose at least ${MIN_PASSWORD_LENGTH} characters that are not a common password — a few unrelated words make a good one`,
    { field, rules, min_length: MIN_PASSWORD_LENGTH },
  );
}
