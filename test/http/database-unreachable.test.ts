// Issue 16: a request whose database connection fails (PostgreSQL restarting, the network cut)
// is answered 503 SERVICE_UNAVAILABLE — a client or proxy retries — not 500 INTERNAL (a bug).
// Under real faults: test/crash/serve-faults.test.ts (no 500 answered during the outages).
import { expect, it } from 'vitest';
import { databaseUnreachable, toErrorBody } from '../../src/http/errors.ts';

it('answers 503 for connection-level database failures, 500 for anything else', () => {
  const cases: Array<[unknown, number]> = [
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 503],
    [new Error('Connection terminated unexpectedly'), 503],
    [new Error('Client has encountered a connection error and is not queryable'), 503],
    [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 503],
    [Object.assign(new Error('the database system is starting up'), { code: '57P03' }), 503],
    [Object.assign(new Error('connection failure'), { code: '08006' }), 503],
    [new Error('rollback failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }), 503],
    [new Error('undefined is not a function'), 500],
    [Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }), 500],
  ];
  for (const [err, status] of cases) {
    expect(toErrorBody(err).status, (err as Error).message).toBe(status);
    expect(databaseUnreachable(err)).toBe(status === 503);
  }
  expect(toErrorBody(new Error('Connection terminated')).body.error.code).toBe('SERVICE_UNAVAILABLE');
});
