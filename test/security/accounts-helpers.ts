/** Shared by the account security suites: an app with its own stream re-check interval, sign-in helpers, an SSE reader. */
import type { FastifyInstance } from 'fastify';
import { createToken } from '../../src/app/create-token.ts';
import { buildApp } from '../../src/http/build-app.ts';
import type { Store } from '../../src/store/connect.ts';
import { depsFor, makeCast, type Cast } from '../helpers/fixtures.ts';

export const PASSWORD = 'correct horse battery';

export interface AccountsApp {
  app: FastifyInstance;
  deps: ReturnType<typeof depsFor>;
  cast: Cast;
  adminAuth: { authorization: string };
}

export async function accountsApp(store: Store, opts: { streamRecheckMs?: number; deps?: ReturnType<typeof depsFor>; cast?: Cast } = {}): Promise<AccountsApp> {
  const deps = opts.deps ?? depsFor(store);
  const cast = opts.cast ?? (await makeCast(deps, PASSWORD));
  const app = await buildApp({
    ...deps,
    http: { bodyLimit: 256 * 1024, loginRateLimit: 1000, sessionTtlMs: 3_600_000, secureCookies: false, ...(opts.streamRecheckMs !== undefined && { streamRecheckMs: opts.streamRecheckMs }) },
  });
  const admin = await createToken(deps, { user: { id: cast.actors.admin.userId }, name: 'admin for the suite' });
  return { app, deps, cast, adminAuth: { authorization: `Bearer ${admin.secret}` } };
}

/** The value of a Set-Cookie of `name` in an inject response, or undefined. */
export function cookieOf(res: { cookies: Array<{ name: string; value: string }> }, name: string): string | undefined {
  return res.cookies.find((c) => c.name === name)?.value;
}

export async function signIn(app: FastifyInstance, email: string, password: string, extra: { ip?: string; device?: string } = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    ...(extra.ip && { remoteAddress: extra.ip }),
    ...(extra.device && { cookies: { escalon_device: extra.device } }),
  });
  return { res, session: cookieOf(res, 'escalon_session'), device: cookieOf(res, 'escalon_device') };
}

/** Opens GET /api/v1/stream over a real socket; `ended` resolves with everything received once the server ends it. */
export async function openStream(base: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/stream`, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
  if (res.status !== 200) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })().catch(() => text);
  return {
    ended,
    /** Resolves with the text when the stream ended within `ms`, else rejects. */
    endsWithin: (ms: number) =>
      Promise.race([ended, new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`stream still open after ${ms} ms; got: ${JSON.stringify(text)}`)), ms))]),
    received: () => text,
    close: () => controller.abort(),
  };
}
