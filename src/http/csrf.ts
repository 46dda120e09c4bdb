/**
 * Forged requests (cross-site request forgery). A browser attaches the session cookie to
 * requests that other pages make: a page on another site (SameSite=Lax stops most of those)
 * or on the same site — another port or subdomain, which SameSite does not stop. So a request
 * that changes something and rides on the session cookie (no `Authorization` header) must:
 *
 * - come from this server's own pages: `Sec-Fetch-Site` is not `cross-site` or `same-site`,
 *   and `Origin`, when sent, is this server's origin (ESCALON_PUBLIC_URL when set, else the
 *   request's own scheme and Host, which honour ESCALON_TRUST_PROXY);
 * - carry its body as `application/json` (or the few other types a route takes:
 *   YAML for the policy document, multipart for uploads): the types a plain HTML form can
 *   send (`text/plain`, urlencoded, multipart elsewhere) are refused, and anything else makes
 *   a browser ask first (CORS preflight, which this server never grants).
 *
 * Bearer-token calls are not affected (a page cannot make the browser send a token), and
 * public routes that act for nobody (the web form, provider webhooks, the survey and
 * confirmation links, which plain HTML forms post) are not checked — except sign-in, whose
 * origin is checked so that no page can sign a browser in as someone else.
 *
 * The check runs in onRequest, before the body is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { SESSION_COOKIE } from './access.ts';

export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const JSON_TYPES = ['application/json'] as const;
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'] as const;

/**
 * The body types a cookie-authenticated request may send, per route ("METHOD url"); every
 * other route takes application/json only. (Bearer-token calls may also send the policy
 * document as text/plain.)
 */
export const COOKIE_BODY_TYPES: Readonly<Record<string, readonly string[]>> = {
  'POST /api/v1/policy/plan': [...JSON_TYPES, ...YAML_TYPES],
  'PUT /api/v1/policy': [...JSON_TYPES, ...YAML_TYPES],
  'POST /api/v1/attachments': ['multipart/form-data'],
};

/** Public routes whose origin is checked anyway: sign-in (login CSRF). */
const ORIGIN_CHECKED_PUBLIC = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/set-password']);

export interface CsrfOptions {
  /** The origin of ESCALON_PUBLIC_URL when set; else each request's own scheme and Host. */
  readonly publicOrigin?: string | undefined;
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(header: string | undefined): string | null {
  if (header === undefined) return null;
  const t = header.split(';')[0]?.trim().toLowerCase();
  return t ? t : null;
}

/** This server's origin as the browser sees it. */
export function ownOrigin(req: FastifyRequest, opts: CsrfOptions): string {
  return opts.publicOrigin ?? `${req.protocol}://${req.host}`;
}

function hasBody(req: FastifyRequest): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/** Refuses a request another site's page could have made; throws CSRF_REJECTED. */
export function checkOrigin(req: FastifyRequest, opts: CsrfOptions, route: string): void {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const expected = ownOrigin(req, opts);
  const how = 'use the console at its own address, or call the API with a token (Authorization: Bearer …)';
  if (site === 'cross-site' || site === 'same-site') {
    throw new DomainError('CSRF_REJECTED', `${route} refused: the browser says it was sent by a page of another ${site === 'cross-site' ? 'site' : 'origin on this site'} (Sec-Fetch-Site: ${site}); ${how}`, {
      sec_fetch_site: site,
      origin: origin ?? null,
    });
  }
  if (origin !== undefined && origin !== expected) {
    throw new DomainError(
      'CSRF_REJECTED',
      `${route} refused: it comes from a page at ${origin}, not from this server (${expected}); ${how}. Behind a proxy, set ESCALON_PUBLIC_URL to the address people use (or ESCALON_TRUST_PROXY)`,
      { origin, expected_origin: expected },
    );
  }
}

export function installCsrfCheck(app: FastifyInstance, opts: CsrfOptions): void {
  // A renamed route must not silently lose its body types (the console's policy editor would break).
  const named = new Set([...Object.keys(COOKIE_BODY_TYPES), ...ORIGIN_CHECKED_PUBLIC]);
  const seen = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const m of Array.isArray(route.method) ? route.method : [route.method]) seen.add(`${String(m)} ${route.url ?? route.path}`);
  });
  app.addHook('onReady', async () => {
    const missing = [...named].filter((r) => !seen.has(r));
    if (missing.length > 0) throw new Error(`csrf.ts names routes that do not exist: ${missing.join(', ')}`);
  });
  app.addHook('onRequest', async (req) => {
    if (!UNSAFE_METHODS.has(req.method)) return;
    const access = req.routeOptions.config.access;
    if (access === undefined) return; // the 404 handler
    const route = `${req.method} ${req.routeOptions.url ?? req.url}`;
    if (access === 'public') {
      if (ORIGIN_CHECKED_PUBLIC.has(route)) checkOrigin(req, opts, route);
      return;
    }
    // Only the session cookie is sent by the browser on its own; a bearer token never is.
    if (req.headers.authorization !== undefined || req.cookies[SESSION_COOKIE] === undefined) return;
    checkOrigin(req, opts, route);
    const type = mediaType(req.headers['content-type']);
    const allowed = COOKIE_BODY_TYPES[route] ?? JSON_TYPES;
    if ((type !== null || hasBody(req)) && (type === null || !allowed.includes(type))) {
      throw new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        `${route} with the session cookie takes ${allowed.join(' or ')} bodies (got ${type ?? 'a body without Content-Type'}); send JSON with Content-Type: application/json, or call the API with a token`,
        { content_type: req.headers['content-type'] ?? null, accepted: allowed },
      );
    }
  });
}
