// Issue 13: the console's API client is typed from the server's OpenAPI document. The committed
// web/src/api-schema.d.ts must be what `npm run gen:api` writes for the routes as they are now.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, renderApiTypes } from '../../scripts/gen-api-types.ts';

describe('web/src/api-schema.d.ts', () => {
  it('matches the OpenAPI document of the current routes', { timeout: 120_000 }, async () => {
    const fresh = await renderApiTypes();
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== fresh) {
      const a = committed.split('\n');
      const b = fresh.split('\n');
      const at = a.findIndex((line, i) => line !== b[i]);
      expect.fail(
        `web/src/api-schema.d.ts is out of date with the routes (first difference at line ${at + 1}: ${JSON.stringify(a[at] ?? '')} → ${JSON.stringify(b[at] ?? '')}). ` +
          'Run `npm run gen:api` and commit the file; then `npm run typecheck` shows which console calls the change breaks.',
      );
    }
  });
});
