/** An HTTP app on a test store, with a cast of people each holding an API token. */
import type { FastifyInstance } from 'fastify';
import { createToken } from '../../src/app/create-token.ts';
import { buildApp } from '../../src/http/build-app.ts';
import type { ByteStore } from '../../src/store/byte-store.ts';
import type { Store } from '../../src/store/connect.ts';
import { depsFor, makeCast, type Cast } from './fixtures.ts';

export type Person = keyof Cast['actors'];

export interface TestApp {
  app: FastifyInstance;
  cast: Cast;
  deps: ReturnType<typeof depsFor>;
  /** `Authorization` header for a person. */
  auth(who: Person): { authorization: string };
}

export const TEST_PASSWORD = 'correct horse battery';

export async function makeTestApp(store: Store, opts: { loginRateLimit?: number; bodyLimit?: number; files?: ByteStore; attachmentLimit?: number } = {}): Promise<TestApp> {
  const deps = { ...depsFor(store), ...(opts.files && { files: opts.files }), ...(opts.attachmentLimit !== undefined && { attachmentLimit: opts.attachmentLimit }) };
  const cast = await makeCast(deps, TEST_PASSWORD);
  const app = await buildApp({
    ...deps,
    http: { bodyLimit: opts.bodyLimit ?? 256 * 1024, loginRateLimit: opts.loginRateLimit ?? 1000, sessionTtlMs: 3_600_000, secureCookies: false },
  });
  const tokens = {} as Record<Person, string>;
  for (const [who, actor] of Object.entries(cast.actors) as Array<[Person, (typeof cast.actors)[Person]]>) {
    tokens[who] = (await createToken(deps, { user: { id: actor.userId }, name: `test ${who}` })).secret;
  }
  return { app, cast, deps, auth: (who) => ({ authorization: `Bearer ${tokens[who]}` }) };
}
