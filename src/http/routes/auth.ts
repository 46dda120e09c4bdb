/** Password sign-in → session cookie; sign-out; who am I. Sign-in is rate limited per client address. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { login, logout } from '../../app/login.ts';
import { DomainError } from '../../domain/errors.ts';
import { SESSION_COOKIE, actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentActor } from '../present.ts';
import { loginIn, meOut } from '../schemas.ts';

export const authRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  app.post(
    '/auth/login',
    {
      config: {
        access: 'public',
        rateLimit: {
          max: deps.http.loginRateLimit,
          timeWindow: '1 minute',
          errorResponseBuilder: (_req, ctx) => new DomainError('RATE_LIMITED', `too many sign-in attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s`, { retry_after_s: Math.ceil(ctx.ttl / 1000) }),
        },
      },
      schema: { tags: ['auth'], body: loginIn, response: { 200: meOut } },
    },
    async (req, reply) => {
      const { actor, sessionSecret, expiresAt } = await login(deps, req.body, deps.http.sessionTtlMs);
      reply.setCookie(SESSION_COOKIE, sessionSecret, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: deps.http.secureCookies,
        expires: new Date(expiresAt),
      });
      return presentActor(actor);
    },
  );

  app.post('/auth/logout', { config: { access: 'authenticated' }, schema: { tags: ['auth'], response: { 204: z.null() } } }, async (req, reply) => {
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie) await logout(deps, cookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.get('/me', { config: { access: 'authenticated' }, schema: { tags: ['auth'], response: { 200: meOut } } }, async (req) => presentActor(actorOf(req)));
};
