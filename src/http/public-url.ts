/** The console's public address for links in mail: ESCALON_PUBLIC_URL when configured, else the request's own origin. */
import type { FastifyRequest } from 'fastify';
import type { HttpDeps } from './build-app.ts';

export function publicUrlOf(deps: HttpDeps, req: FastifyRequest): string {
  return deps.intake?.publicUrl ?? `${req.protocol}://${req.host}`;
}
