/**
 * Builds the HTTP application; never listens (the CLI does, tests use `inject`). Plugins,
 * the access hook, the error shape, then the routes under /api/v1 and the docs at /docs.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app/deps.ts';
import { installAccessControl, trackRoutes, type RouteRecord } from './access.ts';
import { installCsrfCheck } from './csrf.ts';
import { clientErrorHandler, installBodyLimits, installJsonParser, installSecureCookiesOverTls, installSecurityHeaders, securityHeaders } from './edge.ts';
import { errorBody, handleError } from './errors.ts';
import { installNulGuard } from './nul-guard.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { authRoutes } from './routes/auth.ts';
import { ccRoutes } from './routes/ccs.ts';
import { playbookRoutes } from './routes/playbooks.ts';
import { commentRoutes } from './routes/comments.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { escalationRoutes } from './routes/escalations.ts';
import { drillRoutes } from './routes/drills.ts';
import { healthRoutes } from './routes/health.ts';
import { adminRoutes } from './routes/admin.ts';
import { personalDataRoutes } from './routes/personal-data.ts';
import { intakeRoutes } from './routes/intake.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { templateRoutes } from './routes/templates.ts';
import { policyRoutes } from './routes/policy.ts';
import { riskModelRoutes } from './routes/risk-model.ts';
import { streamRoutes } from './routes/stream.ts';
import { supportHoursRoutes } from './routes/support-hours.ts';
import { reportRoutes } from './routes/reports.ts';
import { requesterRoutes } from './routes/requester.ts';
import { riskRoutes } from './routes/risk.ts';
import { ticketRoutes } from './routes/tickets.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';
import { sendConsoleIndex, wantsConsolePage, webRoutes } from './routes/web.ts';

export interface HttpOptions {
  bodyLimit: number;
  loginRateLimit: number;
  sessionTtlMs: number;
  /** How often an open event stream re-checks its credential (default 30 s; routes/stream.ts). */
  streamRecheckMs?: number;
  /** Mark the session cookie Secure (behind TLS). */
  secureCookies: boolean;
  // The HTTP edge (edge.ts, csrf.ts): bodyLimit is the largest body (policy documents and routes
  // with long texts; other routes take less); secureCookies comes from ESCALON_PUBLIC_URL=https://…
  // and a request over TLS gets Secure cookies anyway.
  /** Which proxies' X-Forwarded-* headers are believed (ESCALON_TRUST_PROXY); default none. */
  trustProxy?: boolean | number | string;
  /** The origin of ESCALON_PUBLIC_URL when set: the only origin allowed to send cookie-authenticated changes. */
  publicOrigin?: string | undefined;
  /** Strict-Transport-Security max-age over TLS (ESCALON_HSTS_MAX_AGE); 0: none. */
  hstsMaxAge?: number;
  /** The level of the one line per request (ESCALON_ACCESS_LOG, default info); `off`: none. */
  accessLog?: 'info' | 'debug' | 'off';
  logger?: FastifyServerOptions['logger'];
}

export interface HttpDeps extends AppDeps {
  readonly http: HttpOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with its declared access (the authorization matrix walks this). */
    escalonRoutes: RouteRecord[];
  }
}

/** A hop count becomes Fastify's (address, hop) predicate; the rest passes through. */
function trustProxyOption(tp: HttpOptions['trustProxy']): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof tp === 'number') return (_address, hop) => hop < tp;
  return tp ?? false;
}

/**
 * One log line per request, written when it completes (Fastify writes two: "incoming request"
 * and "request completed"): method, path without its query, status, time, who. A route whose
 * path carries a secret (confirmation and survey links) is logged by its pattern, so the token
 * never reaches the log. Errors keep their own lines (errors.ts logs every 5xx).
 */
class OneLineRequestLog extends LogController {
  constructor(private readonly level: 'info' | 'debug' | 'off') {
    super();
  }

  override incomingRequest(): void {}

  /** A 404 is already the request's own line. */
  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const pattern = request.routeOptions.url;
    const url = pattern?.includes(':token') ? pattern : request.url.split('?')[0];
    const line = { method: request.method, url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, actor: request.actor?.userId, ip: request.ip };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (this.level !== 'off') reply.log[this.level](line, 'request');
  }
}

export async function buildApp(deps: HttpDeps): Promise<FastifyInstance> {
  const headerOptions = { publicOrigin: deps.http.publicOrigin, hstsMaxAge: deps.http.hstsMaxAge };
  const app = Fastify({
    logger: deps.http.logger ?? false,
    bodyLimit: deps.http.bodyLimit,
    trustProxy: trustProxyOption(deps.http.trustProxy),
    // Router-level rejections (bad URL encoding, over-long parameters) get the same error shape,
    // and so does what Node's HTTP parser refuses (edge.ts).
    frameworkErrors: (err, req, reply) => {
      securityHeaders(req, reply, headerOptions);
      return handleError(err, req, reply);
    },
    clientErrorHandler,
    // Node would answer a request without Host with an empty 400 of its own; edge.ts answers it.
    http: { requireHostHeader: false },
    logController: new OneLineRequestLog(deps.http.accessLog ?? 'info'),
  });
  const routes: RouteRecord[] = [];
  app.decorate('escalonRoutes', routes);
  trackRoutes(app, routes);
  installBodyLimits(app, deps.http.bodyLimit);
  installJsonParser(app);
  installSecurityHeaders(app, headerOptions);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, req, reply) => handleError(err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    // A browser on an unknown console path gets the console (status 404), which shows its own not-found page.
    if (wantsConsolePage(req.method, path, req.headers.accept)) return sendConsoleIndex(reply, 404);
    return reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `no route ${req.method} ${path}`));
  });

  await app.register(fastifyCookie);
  installSecureCookiesOverTls(app);
  await app.register(fastifyRateLimit, { global: false });
  // Uploads are read as streams by the attachment route; one byte over the limit lets the
  // byte store refuse with its own message (busboy would only truncate).
  await app.register(fastifyMultipart, {
    limits: { fileSize: deps.attachmentLimit + 1, files: 20, fields: 10, fieldSize: 1024, parts: 30, headerPairs: 100 },
  });
  // Forged cross-site requests are refused before authentication (csrf.ts).
  installCsrfCheck(app, { publicOrigin: deps.http.publicOrigin });
  installAccessControl(app, deps);
  installNulGuard(app);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Escalon API', version: '1', description: 'Self-hosted ticket escalation. Errors: `{ "error": { "code", "message", "details" } }` (docs/errors.md).' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API token (esc_…)' },
          session: { type: 'apiKey', in: 'cookie', name: 'escalon_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(metricsRoutes, { deps });
  await app.register(healthRoutes, { deps });
  await app.register(
    async (api) => {
      await api.register(authRoutes, { deps });
      await api.register(ticketRoutes, { deps });
      await api.register(commentRoutes, { deps });
      await api.register(attachmentRoutes, { deps });
      await api.register(notificationRoutes, { deps });
      await api.register(ccRoutes, { deps });
      await api.register(playbookRoutes, { deps });
      await api.register(escalationRoutes, { deps });
      await api.register(requesterRoutes, { deps });
      await api.register(policyRoutes, { deps });
      await api.register(streamRoutes, { deps });
      await api.register(organizationRoutes, { deps });
      await api.register(userRoutes, { deps });
      await api.register(tokenRoutes, { deps });
      await api.register(templateRoutes, { deps });
      await api.register(intakeRoutes, { deps });
      await api.register(adminRoutes, { deps });
      await api.register(personalDataRoutes, { deps });
      await api.register(supportHoursRoutes, { deps });
      await api.register(reportRoutes, { deps });
      await api.register(drillRoutes, { deps });
      await api.register(riskRoutes, { deps });
      await api.register(riskModelRoutes, { deps });
    },
    { prefix: '/api/v1' },
  );
  await app.register(webRoutes);
  closeConnectionsAsTheyIdle(app);
  await app.ready();
  return app;
}

/**
 * app.close(): Node closes the keep-alive connections idle at that moment only. One busy then
 * (a request in flight, an event stream being ended) goes idle after its answer, and a keep-alive
 * client — a reverse proxy's upstream pool, a browser — holds it open: the close waited for
 * Fastify's 72 s keep-alive timeout (`escalon serve` on SIGTERM too). Until the close completes,
 * connections are closed as they go idle.
 */
function closeConnectionsAsTheyIdle(app: FastifyInstance): void {
  let sweep: NodeJS.Timeout | null = null;
  app.addHook('preClose', async () => {
    sweep = setInterval(() => app.server.closeIdleConnections(), 50);
    sweep.unref();
  });
  app.addHook('onClose', async () => {
    if (sweep) clearInterval(sweep);
  });
}
