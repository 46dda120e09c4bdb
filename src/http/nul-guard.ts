/**
 * Text never carries NUL (U+0000). PostgreSQL cannot store it in a text column (and refuses it
 * even in a lookup), SQLite would store it and every later reader would choke on it, so one
 * request must not behave differently by database or end in a 500: a NUL anywhere in the path,
 * the query or the parsed body (JSON keys and values, a YAML or text document) is refused
 * before validation with VALIDATION_FAILED, naming where it was. Found by the API fuzzer
 * (test/security/api-fuzz.test.ts): `GET /api/v1/tickets/%00/ccs` answered 500 on PostgreSQL.
 * Only the API's routes are guarded: the console's static files answer a NUL path with a 404.
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors.ts';

const MAX_DEPTH = 256;

/** The path (`body.items.0.name`) of the first NUL in a value, or null. */
export function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Buffer.isBuffer(value)) return null;
  for (const [k, v] of Object.entries(value)) {
    const here = `${path}.${k.replaceAll('\u0000', '\\0')}`;
    if (k.includes('\u0000')) return here;
    const found = findNul(v, here, depth + 1);
    if (found) return found;
  }
  return null;
}

export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    // The API's routes (the console's static files answer a NUL path with their own 404).
    if (!req.routeOptions.url?.startsWith('/api/')) return;
    const where = findNul(req.params, 'params') ?? findNul(req.query, 'querystring') ?? findNul(req.body, 'body');
    if (where) {
      throw new DomainError('VALIDATION_FAILED', `${where}: contains a NUL character (U+0000), which no text here may hold; remove it`, {
        issues: [{ path: where, message: 'contains a NUL character (U+0000)' }],
      });
    }
  });
}
