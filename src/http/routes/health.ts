/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { ping } from '../../store/connect.ts';
import type { HttpDeps } from '../build-app.ts';

export const healthRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const ok = z.object({ status: z.literal('ok') });
  app.get('/healthz', { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: ok } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: ok } } }, async () => {
    if (!(await ping(deps.store))) throw new DomainError('SERVICE_UNAVAILABLE', 'the database does not answer', { dialect: deps.store.dialect });
    return { status: 'ok' as const };
  });
};
