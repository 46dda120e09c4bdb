/**
 * Escalation drills (docs/drills.md) and the quick-reference guide. Drills: managers and admins
 * start them and read score sheets; staff practise the drills they are trainees of (their
 * practice queue and decisions). Nothing here touches tickets, the outbox or reports.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createDrill } from '../../app/create-drill.ts';
import { drillScores, listDrillsFor, practiceQueue, readDrill } from '../../app/read-drills.ts';
import { readQuickReference } from '../../app/read-quick-reference.ts';
import { recordDrillDecision } from '../../app/record-drill-decision.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { REASONS } from '../../domain/policy/types.ts';
import { actorOf } from '../access.ts';
import { supportHoursOut } from './support-hours.ts';
import type { HttpDeps } from '../build-app.ts';

const drillParams = z.strictObject({ drillId: z.string().min(1).max(64) });
const drillOut = z.object({
  id: z.string(),
  name: z.string(),
  source: z.string(),
  scenario: z.string(),
  policy_version: z.number(),
  created_at: z.string(),
  created_by: z.string(),
  tickets: z.number(),
  trainees: z.array(z.object({ id: z.string(), name: z.string() })),
  my_progress: z.object({ decided: z.number(), points: z.number(), max: z.number() }).nullable(),
});
const expectedOut = z.object({
  escalate: z.boolean(),
  team: z.string().nullable(),
  level: z.string().nullable(),
  reason: z.string().nullable(),
  rule: z.string().nullable(),
  trigger: z.string().nullable(),
  after_ms: z.number().nullable(),
  timing: z.enum(['now', 'wait']).nullable(),
  explanation: z.string(),
});
const checkOut = z.object({ item: z.enum(['escalate', 'target', 'reason', 'timing']), ok: z.boolean(), points: z.number(), max: z.number(), expected: z.string(), given: z.string() });
const decisionOut = z.object({ decision: z.record(z.string(), z.unknown()), points: z.number(), max: z.number(), checks: z.array(checkOut), decided_at: z.string() });
const drillTicketOut = z.object({
  id: z.string(),
  position: z.number(),
  ref: z.string(),
  priority: z.string(),
  tier: z.string(),
  subject: z.string(),
  body: z.string(),
  channel: z.string(),
  tags: z.array(z.string()),
  category: z.string().nullable(),
  timeline: z.array(z.object({ after_ms: z.number(), type: z.string(), text: z.string() })),
  decision: decisionOut.nullable(),
  expected: expectedOut.nullable(),
});
const queueOut = z.object({
  drill: drillOut,
  is_trainee: z.boolean(),
  tickets: z.array(drillTicketOut),
  choices: z.object({ levels: z.array(z.object({ id: z.string(), name: z.string() })), teams: z.array(z.object({ id: z.string(), level: z.string(), kind: z.string() })), reasons: z.array(z.string()) }),
});
const totalsOut = { points: z.number(), max: z.number(), percent: z.number(), agreed: z.number() };
const scoresOut = z.object({
  drill: drillOut,
  trainees: z.array(z.object({ user_id: z.string(), name: z.string(), email: z.string().nullable(), decided: z.number(), tickets: z.number(), complete: z.boolean(), ...totalsOut })),
  tickets: z.array(
    z.object({
      id: z.string(),
      ref: z.string(),
      subject: z.string(),
      expected: expectedOut,
      decisions: z.number(),
      by_trainee: z.array(z.object({ user_id: z.string(), name: z.string(), points: z.number(), max: z.number(), decision: z.record(z.string(), z.unknown()) })),
      ...totalsOut,
    }),
  ),
  scenario: z.object({ scenario: z.string(), drills: z.number(), trainees: z.number(), decisions: z.number(), ...totalsOut }),
});
const createIn = z.strictObject({
  name: z.string().trim().max(200).optional(),
  scenario: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('example'), id: z.string().min(1).max(100) }),
    z.strictObject({ kind: z.literal('upload'), workload: z.string().min(1).describe('JSONL workload (docs/contract.md §6)'), name: z.string().max(100).optional() }),
    z.strictObject({ kind: z.literal('history'), count: z.number().int().min(1).max(50) }),
  ]),
  trainees: z.union([z.literal('all_agents'), z.array(z.string().min(1).max(64)).max(500)]),
});
const text = z.string().max(20_000);
const decisionIn = z.strictObject({
  ticket_id: z.string().min(1).max(64),
  escalate: z.boolean(),
  team: z.string().min(1).max(64).nullable().optional(),
  level: z.string().min(1).max(64).nullable().optional(),
  reason: z.enum(REASONS).nullable().optional(),
  timing: z.enum(['now', 'wait']).nullable().optional().describe('now: on what the ticket says; wait: when a target is missed'),
  documentation: z.strictObject({ summary: text, steps_taken: text.default(''), needs_attention: text.default('') }).nullable().optional(),
});

const quickReferenceOut = z.object({
  policy_version: z.number().nullable(),
  generated_at: z.string(),
  levels: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      teams: z.array(
        z.object({
          id: z.string(),
          kind: z.string(),
          calendar: z.string().nullable(),
          members: z.array(z.string()),
          lead: z.string().nullable(),
          manager: z.string().nullable(),
          skills: z.array(z.string()),
          on_call: z.object({ now: z.string().nullable(), rotation: z.array(z.string()) }).nullable(),
        }),
      ),
    }),
  ),
  rules: z.array(z.object({ id: z.string(), when: z.string(), condition: z.string().nullable(), does: z.array(z.string()), escalates_to: z.string().nullable(), reason: z.string().nullable(), requires_acknowledgement: z.boolean() })),
  customer_requests: z.object({ to: z.string(), limit: z.string(), requires_acknowledgement: z.boolean() }).nullable(),
  support: supportHoursOut,
  checklists: z.array(z.object({ id: z.string().describe('the escalation reason it belongs to'), title: z.string(), items: z.array(z.object({ text: z.string(), required: z.boolean() })) })),
});

export const drillRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  const staff = { access: STAFF_ROLES };
  const managers = { access: ['admin', 'manager'] as const };
  const tags = ['drills'];
  app.get('/quick-reference', { config: staff, schema: { tags: ['policy'], response: { 200: quickReferenceOut } } }, async () => readQuickReference(deps));
  app.get('/drills', { config: staff, schema: { tags, response: { 200: z.object({ items: z.array(drillOut), can_start: z.boolean(), scenarios: z.array(z.object({ id: z.string(), title: z.string(), tickets: z.number() })) }) } } }, async (req) =>
    listDrillsFor(deps, actorOf(req)),
  );
  app.post('/drills', { config: managers, schema: { tags, body: createIn, response: { 201: drillOut } } }, async (req, reply) => {
    const actor = actorOf(req);
    const created = await createDrill(deps, actor, req.body);
    return reply.code(201).send(await readDrill(deps, actor, created.id));
  });
  app.get('/drills/:drillId', { config: staff, schema: { tags, params: drillParams, response: { 200: drillOut } } }, async (req) => readDrill(deps, actorOf(req), req.params.drillId));
  app.get('/drills/:drillId/tickets', { config: staff, schema: { tags, params: drillParams, response: { 200: queueOut } } }, async (req) => practiceQueue(deps, actorOf(req), req.params.drillId));
  app.post('/drills/:drillId/decisions', { config: staff, schema: { tags, params: drillParams, body: decisionIn, response: { 201: decisionOut.extend({ ticket_id: z.string(), expected: expectedOut }) } } }, async (req, reply) =>
    reply.code(201).send(await recordDrillDecision(deps, actorOf(req), req.params.drillId, req.body)),
  );
  app.get('/drills/:drillId/scores', { config: managers, schema: { tags, params: drillParams, response: { 200: scoresOut } } }, async (req) => drillScores(deps, actorOf(req), req.params.drillId));
};
