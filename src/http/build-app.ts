/**
 * Builds the HTTP application; never listens (the CLI does, tests use `inject`). Plugins,
 * the access hook, the error shape, then the routes under /api/v1 and the docs at /docs.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app/deps.ts';
import { installAccessControl, trackRoutes, type RouteRecord } from './access.ts';
import { errorBody, handleError } from './errors.ts';
import { installNulGuard } from './nul-guard.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { authRoutes } from './routes/auth.ts';
import { ccRoutes } from './routes/ccs.ts';
import { commentRoutes } from './routes/comments.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { escalationRoutes } from './routes/escalations.ts';
import { healthRoutes } from './routes/health.ts';
import { intakeRoutes } from './routes/intake.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { templateRoutes } from './routes/templates.ts';
import { policyRoutes } from './routes/policy.ts';
import { streamRoutes } from './routes/stream.ts';
import { supportHoursRoutes } from './routes/support-hours.ts';
import { reportRoutes } from './routes/reports.ts';
import { requesterRoutes } from './routes/requester.ts';
import { ticketRoutes } from './routes/tickets.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';
import { webRoutes } from './routes/web.ts';

export interface HttpOptions {
  bodyLimit: number;
  loginRateLimit: number;
  sessionTtlMs: number;
  /** Mark the session cookie Secure (behind TLS). */
  secureCookies: boolean;
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

export async function buildApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.http.logger ?? false,
    bodyLimit: deps.http.bodyLimit,
    trustProxy: false,
    // Router-level rejections (bad URL encoding, over-long parameters) get the same error shape.
    frameworkErrors: (err, req, reply) => handleError(err, req, reply),
  });
  const routes: RouteRecord[] = [];
  app.decorate('escalonRoutes', routes);
  trackRoutes(app, routes);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, req, reply) => handleError(err, req, reply));
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  // Uploads are read as streams by the attachment route; one byte over the limit lets the
  // byte store refuse with its own message (busboy would only truncate).
  await app.register(fastifyMultipart, {
    limits: { fileSize: deps.attachmentLimit + 1, files: 20, fields: 10, fieldSize: 1024, parts: 30, headerPairs: 100 },
  });
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
      await api.register(escalationRoutes, { deps });
      await api.register(requesterRoutes, { deps });
      await api.register(policyRoutes, { deps });
      await api.register(streamRoutes);
      await api.register(organizationRoutes, { deps });
      await api.register(userRoutes, { deps });
      await api.register(tokenRoutes, { deps });
      await api.register(templateRoutes, { deps });
      await api.register(intakeRoutes, { deps });
      await api.register(supportHoursRoutes, { deps });
      await api.register(reportRoutes, { deps });
    },
    { prefix: '/api/v1' },
  );
  await app.register(webRoutes);
  await app.ready();
  return app;
}
