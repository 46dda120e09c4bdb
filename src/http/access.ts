/**
 * Route-level access control. Every route declares `config.access`: 'public',
 * 'authenticated', or the list of roles allowed. A route without it cannot be registered,
 * so nothing is ever exposed by omission. The check runs in onRequest, before the body is
 * read. Row-level rules (a customer's own organization) live in app/.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateSession, authenticateToken } from '../app/authenticate.ts';
import type { AppDeps } from '../app/deps.ts';
import type { Actor, Role } from '../auth/roles.ts';
import { DomainError } from '../domain/errors.ts';

export type Access = 'public' | 'authenticated' | readonly Role[];

export const SESSION_COOKIE = 'escalon_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export interface RouteRecord {
  method: string;
  url: string;
  access: Access;
}

/** Must run before any route is added: records each route and refuses one without `access`. */
export function trackRoutes(app: FastifyInstance, routes: RouteRecord[]): void {
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (url.startsWith('/docs')) {
      route.config = { ...(route.config ?? {}), access: 'public' };
    }
    const access = route.config?.access;
    if (access === undefined) throw new Error(`route ${String(route.method)} ${url} declares no config.access`);
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.push({ method: String(method), url, access });
  });
}

async function resolveActor(deps: AppDeps, req: FastifyRequest): Promise<Actor | null> {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const actor = m?.[1] ? await authenticateToken(deps, m[1]) : null;
    if (!actor) throw new DomainError('UNAUTHENTICATED', 'the bearer token is invalid or revoked', {});
    return actor;
  }
  const cookie = req.cookies[SESSION_COOKIE];
  return cookie ? authenticateSession(deps, cookie) : null;
}

export function installAccessControl(app: FastifyInstance, deps: AppDeps): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (access === undefined) return; // the 404 handler: nothing to protect
    if (access === 'public') {
      req.actor = await resolveActor(deps, req).catch(() => null);
      return;
    }
    req.actor = await resolveActor(deps, req);
    if (!req.actor) throw new DomainError('UNAUTHENTICATED', 'sign in (POST /api/v1/auth/login) or send Authorization: Bearer <token>', {});
    if (access !== 'authenticated' && !access.includes(req.actor.role)) {
      throw new DomainError('FORBIDDEN', `this needs one of the roles: ${access.join(', ')}`, { role: req.actor.role });
    }
  });
}

/** The actor of a route that is not public (onRequest guaranteed it). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new DomainError('UNAUTHENTICATED', 'not signed in', {});
  return req.actor;
}
