/**
 * Password sign-in → session cookie; sign-out; who am I; change my password. Sign-in is rate
 * limited per client address (here) and per account (app/login.ts: back-off, device cookie).
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changeOwnPassword } from '../../app/change-password.ts';
import { login, logout } from '../../app/login.ts';
import { setPasswordWithLink } from '../../app/password-links.ts';
import { DomainError } from '../../domain/errors.ts';
import { SESSION_COOKIE, actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';
import { presentActor } from '../present.ts';
import { changePasswordIn, loginIn, meOut, passwordChangedOut } from '../schemas.ts';

/** The known-device cookie (app/login.ts): sent only to the sign-in routes, never readable by scripts. */
export const DEVICE_COOKIE = 'escalon_device';
const DEVICE_PATH = '/api/v1/auth';

/** A LOGIN_THROTTLED refusal carries Retry-After. */
async function withRetryAfter<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DomainError && err.code === 'LOGIN_THROTTLED') reply.header('retry-after', String(err.details.retry_after_s ?? 1));
    throw err;
  }
}

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
      const { actor, sessionSecret, expiresAt, device } = await withRetryAfter(reply, () =>
        login(deps, { ...req.body, deviceSecret: req.cookies[DEVICE_COOKIE] }, deps.http.sessionTtlMs),
      );
      reply.setCookie(SESSION_COOKIE, sessionSecret, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: deps.http.secureCookies,
        expires: new Date(expiresAt),
      });
      // After the session cookie: clients that read only the first Set-Cookie keep working.
      reply.setCookie(DEVICE_COOKIE, device.secret, { httpOnly: true, sameSite: 'strict', path: DEVICE_PATH, secure: deps.http.secureCookies, expires: new Date(device.expiresAt) });
      return presentActor(actor);
    },
  );

  app.post('/auth/logout', { config: { access: 'authenticated' }, schema: { tags: ['auth'], response: { 204: z.null() } } }, async (req, reply) => {
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie) await logout(deps, cookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.post(
    '/auth/password',
    {
      config: {
        access: 'authenticated',
        rateLimit: {
          max: deps.http.loginRateLimit,
          timeWindow: '1 minute',
          errorResponseBuilder: (_req, ctx) => new DomainError('RATE_LIMITED', `too many password changes; try again in ${Math.ceil(ctx.ttl / 1000)} s`, { retry_after_s: Math.ceil(ctx.ttl / 1000) }),
        },
      },
      schema: { tags: ['auth'], body: changePasswordIn, response: { 200: passwordChangedOut } },
    },
    async (req, reply) => {
      const bearer = req.headers.authorization !== undefined;
      const changed = await withRetryAfter(reply, () =>
        changeOwnPassword(
          deps,
          actorOf(req),
          {
            currentPassword: req.body.current_password,
            newPassword: req.body.new_password,
            sessionSecret: bearer ? undefined : req.cookies[SESSION_COOKIE],
            deviceSecret: req.cookies[DEVICE_COOKIE],
          },
          deps.http.sessionTtlMs,
        ),
      );
      if (changed.session) {
        reply.setCookie(SESSION_COOKIE, changed.session.secret, { httpOnly: true, sameSite: 'lax', path: '/', secure: deps.http.secureCookies, expires: new Date(changed.session.expiresAt) });
      }
      return { sessions_ended: changed.sessionsEnded, tokens_revoked: changed.tokensRevoked, session_rotated: changed.session !== null };
    },
  );

  // The one-time link of an invitation or a reset (app/password-links.ts): public, the token is the credential.
  app.post(
    '/auth/set-password',
    {
      config: {
        access: 'public',
        rateLimit: {
          max: deps.http.loginRateLimit,
          timeWindow: '1 minute',
          errorResponseBuilder: (_req, ctx) => new DomainError('RATE_LIMITED', `too many attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s`, { retry_after_s: Math.ceil(ctx.ttl / 1000) }),
        },
      },
      schema: {
        tags: ['auth'],
        body: z.strictObject({ token: z.string().min(1).max(200), password: z.string().min(1).max(200).describe('at least 12 characters, not only spaces, not a common password') }),
        response: { 200: z.object({ email: z.string() }) },
      },
    },
    async (req) => setPasswordWithLink(deps, req.body),
  );

  app.get('/me', { config: { access: 'authenticated' }, schema: { tags: ['auth'], response: { 200: meOut } } }, async (req) => presentActor(actorOf(req)));
};
