import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.ts';
import { HTTP_STATUS } from '../../src/http/errors.ts';

it('lists every error code in docs/errors.md with its HTTP status', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const code of ERROR_CODES) expect(doc, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${HTTP_STATUS[code]} \\|`));
});
