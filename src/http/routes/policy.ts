/**
 * The escalation policy (issue 4): read the version in force, plan a change, apply it.
 * Admins and managers only; a document with problems is refused whole, every problem listed.
 * The body is the document itself: `application/yaml` / `text/yaml` (or `text/plain`) for
 * YAML, `application/json` for JSON.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applyPolicy, planPolicy } from '../../app/apply-policy.ts';
import { DomainError } from '../../domain/errors.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';

const planOut = z.object({
  current_version: z.number(),
  next_version: z.number(),
  rules: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()) }),
  teams: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()) }),
  sla: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()) }),
  clocks: z.array(z.object({ ticket: z.string(), metric: z.string(), due_before: z.string().nullable(), due_after: z.string().nullable() })),
  tickets_reapplied: z.number(),
  warnings: z.array(z.object({ path: z.string(), message: z.string() })),
});
const policyOut = z.object({ version: z.number(), format: z.string(), applied_at: z.string(), applied_by: z.string(), source: z.string() });

export const policyRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const managers = { access: ['admin', 'manager'] as const };
  // The policy document travels as YAML text; JSON bodies arrive parsed and are re-serialised.
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const live = () => {
    if (!deps.live) throw new DomainError('NO_POLICY', 'this server runs without the escalation engine', {});
    return { ...deps, live: deps.live };
  };
  const source = (body: unknown): { text: string; format: 'yaml' | 'json' } => {
    if (typeof body === 'string') return { text: body, format: body.trimStart().startsWith('{') ? 'json' : 'yaml' };
    if (body && typeof body === 'object') return { text: JSON.stringify(body), format: 'json' };
    throw new DomainError('VALIDATION_FAILED', 'send the policy document as the body (YAML or JSON)', {});
  };

  app.get('/policy', { config: { access: ['admin', 'manager', 'lead', 'agent'] }, schema: { tags: ['policy'], response: { 200: policyOut } } }, async () => {
    const active = await live().live.registry.refresh(deps.store.db);
    if (!active) throw new DomainError('NO_POLICY', 'no policy has been applied yet', {});
    return { version: active.version, format: active.format, applied_at: new Date(active.appliedAt).toISOString(), applied_by: active.appliedBy, source: active.source };
  });
  app.post('/policy/plan', { config: managers, schema: { tags: ['policy'], response: { 200: planOut } } }, async (req) => {
    const s = source(req.body);
    return planPolicy(live(), actorOf(req), s.text, s.format);
  });
  app.put('/policy', { config: managers, schema: { tags: ['policy'], response: { 200: planOut } } }, async (req) => {
    const s = source(req.body);
    return applyPolicy(live(), actorOf(req), s.text, s.format);
  });
};
