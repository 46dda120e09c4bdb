/**
 * The escalation policy (issue 4): read the version in force, plan a change, apply it.
 * Admins and managers only; a document with problems is refused whole, every problem listed.
 * The body is the document itself: `application/yaml` / `text/yaml` (or `text/plain`) for
 * YAML, `application/json` for JSON.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applyPolicy, planPolicy } from '../../app/apply-policy.ts';
import { comparePolicyVersions, listPolicyVersions, readPolicyVersion, rollbackPolicy } from '../../app/policy-history.ts';
import { DomainError } from '../../domain/errors.ts';
import { checkPolicyValueDepth } from '../../domain/policy/limits.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';

const section = z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()) });
const changesOut = { levels: section, teams: section, sla: section, rules: section, calendars: section, root_causes: section, playbooks: section };
const planOut = z.object({
  current_version: z.number(),
  next_version: z.number(),
  rollback_of: z.number().nullable(),
  ...changesOut,
  clocks: z.array(z.object({ ticket: z.string(), metric: z.string(), due_before: z.string().nullable(), due_after: z.string().nullable() })),
  tickets_reapplied: z.number(),
  warnings: z.array(z.object({ path: z.string(), message: z.string() })),
});
const policyOut = z.object({ version: z.number(), format: z.string(), applied_at: z.string(), applied_by: z.string(), source: z.string() });
const versionOut = policyOut.extend({ rollback_of: z.number().nullable() });
const versionsOut = z.object({
  items: z.array(z.object({ version: z.number(), applied_at: z.string(), applied_by: z.string(), rollback_of: z.number().nullable(), contents: z.string(), summary: z.string() })),
});
const versionParams = z.object({ n: z.coerce.number().int().min(1) });
const diffParams = z.object({ a: z.coerce.number().int().min(1), b: z.coerce.number().int().min(1) });
const diffOut = z.object({
  from: z.number(),
  to: z.number(),
  summary: z.string(),
  changes: z.object(changesOut),
  lines: z.array(z.object({ op: z.enum([' ', '-', '+']), text: z.string(), old: z.number().nullable(), new: z.number().nullable() })),
  unified: z.string(),
});
const rollbackIn = z.strictObject({ version: z.number().int().min(1), dry_run: z.boolean().default(false) });
const iso = (ms: number) => new Date(ms).toISOString();

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
    if (body && typeof body === 'object') {
      // Depth first: re-serialising a very deep value would overflow the stack (docs/security.md).
      const deep = checkPolicyValueDepth(body);
      if (deep) throw new DomainError('POLICY_TOO_COMPLEX', `${deep.message}; nothing was applied`, { limit: deep.limit, max: deep.max, found: deep.found, path: deep.path, line: null, problems: [{ path: deep.path, line: null, message: deep.message }] });
      return { text: JSON.stringify(body), format: 'json' };
    }
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
  app.get('/policy/versions', { config: managers, schema: { tags: ['policy'], response: { 200: versionsOut } } }, async () => ({
    items: (await listPolicyVersions(deps)).map((v) => ({ version: v.version, applied_at: iso(v.appliedAt), applied_by: v.appliedBy, rollback_of: v.rollbackOf, contents: v.contents, summary: v.summary })),
  }));
  app.get('/policy/versions/:n', { config: managers, schema: { tags: ['policy'], params: versionParams, response: { 200: versionOut } } }, async (req) => {
    const p = await readPolicyVersion(deps, req.params.n);
    return { version: p.version, format: p.format, applied_at: iso(p.appliedAt), applied_by: p.appliedBy, source: p.source, rollback_of: p.rollbackOf ?? null };
  });
  app.get('/policy/versions/:a/diff/:b', { config: managers, schema: { tags: ['policy'], params: diffParams, response: { 200: diffOut } } }, async (req) => {
    const c = await comparePolicyVersions(deps, req.params.a, req.params.b);
    return { from: c.from, to: c.to, summary: c.summary, changes: c.changes, lines: c.lines.map((l) => ({ op: l.op, text: l.text, old: l.old ?? null, new: l.new ?? null })), unified: c.unified };
  });
  // Rollback = the old version's document applied as the next version; `dry_run` plans it.
  app.post('/policy/rollback', { config: managers, schema: { tags: ['policy'], body: rollbackIn, response: { 200: planOut } } }, async (req) =>
    rollbackPolicy(live(), actorOf(req), req.body.version, req.body.dry_run),
  );
  app.put('/policy', { config: managers, schema: { tags: ['policy'], response: { 200: planOut } } }, async (req) => {
    const s = source(req.body);
    return applyPolicy(live(), actorOf(req), s.text, s.format);
  });
};
