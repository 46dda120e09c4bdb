/**
 * The HTTP edge: what every request and answer goes through before and after the routes.
 *
 * - Body limits per route: a policy document or a text-carrying route (tickets, comments,
 *   templates, reviews, intake) may use ESCALON_BODY_LIMIT; every other route takes at most
 *   SMALL_BODY_LIMIT. Uploads are streamed by the attachment route under their own limits.
 * - JSON bodies: nesting deeper than MAX_JSON_DEPTH is refused before parsing (a linear scan),
 *   then Fastify's own parser runs (it refuses `__proto__` / `constructor.prototype` keys).
 * - Security headers on every answer (pages, API, docs, errors); a route's own
 *   Content-Security-Policy (attachment downloads) is kept.
 * - Unreadable HTTP (a request line or header Node's parser refuses, headers over the size
 *   limit, a request that never finishes) is answered in the documented error shape.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../domain/errors.ts';
import { errorBody, HTTP_STATUS } from './errors.ts';

/** Deepest JSON nesting (objects and arrays) a body may have. */
export const MAX_JSON_DEPTH = 64;
/** Body limit of routes that carry no long texts (ESCALON_BODY_LIMIT caps it too). */
export const SMALL_BODY_LIMIT = 64 * 1024;

/** Routes ("METHOD url") whose bodies may be as large as ESCALON_BODY_LIMIT. */
export const LARGE_BODY_ROUTES: ReadonlySet<string> = new Set([
  'PUT /api/v1/policy',
  'POST /api/v1/policy/plan',
  'POST /api/v1/tickets',
  'POST /api/v1/tickets/:ticketRef/comments',
  'POST /api/v1/tickets/:ticketRef/escalate',
  'PUT /api/v1/tickets/:ticketRef/review',
  'PUT /api/v1/templates/:name',
  'POST /api/v1/templates/:name/preview',
  'POST /api/v1/intake/web',
  'POST /api/v1/intake/hooks/:source',
  // an uploaded drill scenario (a JSONL workload)
  'POST /api/v1/drills',
]);

/**
 * Where a JSON text nests deeper than `max` (the character offset), or null. Counts `{` and
 * `[` outside strings; linear in the text, no recursion.
 */
export function jsonTooDeepAt(text: string, max: number): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return null;
}

/** The JSON parser of every route: depth-limited, then Fastify's own (prototype-poisoning safe). */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    const at = jsonTooDeepAt(text, MAX_JSON_DEPTH);
    if (at !== null) {
      done(new DomainError('MALFORMED_REQUEST', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels (at character ${at}); flatten the document`, { max_depth: MAX_JSON_DEPTH, at }), undefined);
      return;
    }
    void parse(req, text, done);
  });
}

/** Sets each route's body limit (unless the route sets its own) from LARGE_BODY_ROUTES. Call before any route. */
export function installBodyLimits(app: FastifyInstance, bodyLimit: number): void {
  const small = Math.min(bodyLimit, SMALL_BODY_LIMIT);
  const seen = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (route.bodyLimit !== undefined) return;
    const url = route.url ?? route.path;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const large = methods.some((m) => LARGE_BODY_ROUTES.has(`${String(m)} ${url}`));
    for (const m of methods) if (LARGE_BODY_ROUTES.has(`${String(m)} ${url}`)) seen.add(`${String(m)} ${url}`);
    route.bodyLimit = large ? bodyLimit : small;
  });
  // A renamed route must not silently fall back to the small limit.
  app.addHook('onReady', async () => {
    const missing = [...LARGE_BODY_ROUTES].filter((r) => !seen.has(r));
    if (missing.length > 0) throw new Error(`LARGE_BODY_ROUTES names routes that do not exist: ${missing.join(', ')}`);
  });
}

export interface HeaderOptions {
  /** The origin of ESCALON_PUBLIC_URL when set: https there means the browser talks TLS. */
  readonly publicOrigin?: string | undefined;
  /** Strict-Transport-Security max-age on answers over TLS; 0: none. */
  readonly hstsMaxAge?: number | undefined;
}

/**
 * Pages (the console, the portal, the intake and survey pages, /docs): scripts only from this
 * server (no inline script); inline styles are allowed because React `style` attributes and
 * the charts set them; data: images for the favicon and the docs' icons.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
/** Everything else (JSON, assets, files): nothing may run or load from it, nobody may frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(req: FastifyRequest, reply: FastifyReply, opts: HeaderOptions): void {
  if (!reply.hasHeader('content-security-policy')) {
    const type = String(reply.getHeader('content-type') ?? '');
    // /docs serves its HTML as a file stream (the type is set later); it is a page too.
    const page = type.startsWith('text/html') || req.url === '/docs' || req.url.startsWith('/docs/');
    reply.header('content-security-policy', page ? PAGE_CSP : API_CSP);
  }
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  const maxAge = opts.hstsMaxAge ?? 31_536_000;
  if (maxAge > 0 && (req.protocol === 'https' || opts.publicOrigin?.startsWith('https:') === true)) {
    reply.header('strict-transport-security', `max-age=${maxAge}`);
  }
}

export function installSecurityHeaders(app: FastifyInstance, opts: HeaderOptions): void {
  // HTTP/1.1 requires Host (RFC 9112 §3.2); Node's own refusal would be an empty 400.
  app.addHook('onRequest', async (req) => {
    if (req.raw.httpVersion === '1.1' && req.headers.host === undefined) {
      throw new DomainError('MALFORMED_REQUEST', 'an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)', { missing: 'host' });
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    securityHeaders(req, reply, opts);
    return payload;
  });
}

/**
 * A request that came over TLS (itself, or as a trusted proxy reports it) gets every cookie
 * Secure, whatever the route set. (ESCALON_PUBLIC_URL=https://… makes them Secure at the
 * route already: HttpOptions.secureCookies.) Must be added after @fastify/cookie, whose
 * onSend hook writes the Set-Cookie headers.
 */
export function installSecureCookiesOverTls(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.protocol !== 'https') return payload;
    const set = reply.getHeader('set-cookie');
    if (set === undefined) return payload;
    const secure = (c: string) => (/;\s*secure\s*(;|$)/i.test(c) ? c : `${c}; Secure`);
    // reply.header() appends to Set-Cookie: remove the old ones first.
    reply.removeHeader('set-cookie');
    reply.header('set-cookie', Array.isArray(set) ? set.map((c) => secure(String(c))) : secure(String(set)));
    return payload;
  });
}

/** What a request Node's HTTP parser refused gets: the documented error shape, then the socket closes. */
export function clientErrorAnswer(err: NodeJS.ErrnoException): { status: number; body: string } {
  let code: ErrorCode = 'MALFORMED_REQUEST';
  let message = `the request cannot be read as HTTP/1.1 (${err.code ?? 'parse error'}); check the request line, the header names and values, and the body framing (Content-Length / Transfer-Encoding)`;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    code = 'HEADERS_TOO_LARGE';
    message = 'the request headers are larger than this server accepts (16 KiB in all); send fewer or shorter headers (cookies?)';
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT') {
    code = 'REQUEST_TIMEOUT';
    message = 'the request did not arrive in time; send it whole, promptly';
  }
  return { status: HTTP_STATUS[code], body: JSON.stringify(errorBody(code, message, { reason: err.code ?? null })) };
}

export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, body } = clientErrorAnswer(err);
  this.log.debug({ err }, 'unreadable request');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        "X-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n" +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
