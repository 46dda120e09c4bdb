/**
 * Reports (the contract (docs/contract.md) §7) for managers and admins, and the post-resolution review of one
 * ticket for staff. Every report endpoint takes the same query (period, time zone, filters)
 * and `format=json|csv`; the numbers come from src/reporting, the same code as `escalon report`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readLessons, recordReview, rootCausesInForce } from '../../app/record-review.ts';
import { loadVisibleTicket } from '../../app/ticket-access.ts';
import { STAFF_ROLES } from '../../auth/roles.ts';
import { buildReview } from '../../domain/reporting/review.ts';
import { buildReport } from '../../reporting/build-report.ts';
import { reportCsv, reportJson, type ReportSection } from '../../reporting/report-format.ts';
import { lessonsJson, reviewCsv, reviewJson, reviewMarkdown, type Lessons } from '../../reporting/review-format.ts';
import { loadTeamLevels } from '../../reporting/team-levels.ts';
import { listEvents } from '../../store/events-repo.ts';
import type { StoredReview } from '../../store/reviews-repo.ts';
import { listUsers } from '../../store/users-repo.ts';
import { actorOf } from '../access.ts';
import type { HttpDeps } from '../build-app.ts';

const reportQuery = z
  .object({
    from: z.string().max(40).optional().describe('YYYY-MM-DD (local day in tz) or an ISO instant with offset; default: 30 days before `to`'),
    to: z.string().max(40).optional().describe('YYYY-MM-DD (inclusive local day) or an ISO instant (exclusive); default: end of today'),
    tz: z.string().max(64).optional().describe('IANA time zone for dates and trend buckets; default UTC'),
    as_of: z.string().max(40).optional().describe('instant open intervals run to (bottlenecks); default now'),
    team: z.string().max(200).optional(),
    level: z.string().max(200).optional(),
    priority: z.string().max(20).optional(),
    tier: z.string().max(200).optional(),
    channel: z.string().max(200).optional(),
    first_level: z.string().max(200).optional().describe('the frontline level for first-contact resolution; default L1'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

const reviewIn = z.strictObject({
  root_cause: z.string().min(1).max(100),
  root_cause_detail: z.string().max(10_000).default(''),
  went_well: z.string().max(10_000).default(''),
  went_badly: z.string().max(10_000).default(''),
  actions: z
    .array(z.strictObject({ description: z.string().trim().min(1).max(2_000), owner_id: z.string().min(1).max(64), due: z.string().max(10).describe('YYYY-MM-DD'), done: z.boolean().default(false) }))
    .max(50)
    .default([]),
  revision: z.number().int().min(0).optional().describe('the revision you edited (0 for a first review); a newer one on the server is refused with VERSION_CONFLICT'),
});

export const reportRoutes: FastifyPluginAsyncZod<{ deps: HttpDeps }> = async (app, { deps }) => {
  /** The recorded review with names, and what the form may choose from. */
  const lessonsOf = async (review: StoredReview | null) => {
    const [causes, users] = await Promise.all([rootCausesInForce(deps), listUsers(deps.store.db)]);
    const staff = users.filter((u) => u.active && u.role !== 'customer');
    const lessons: Lessons | null = review ? { review, rootCauseName: causes.find((c) => c.id === review.rootCause)?.name ?? review.rootCause, names: new Map(users.map((u) => [u.id, u.name])) } : null;
    return { lessons, choices: { root_causes: causes, owners: staff.map((u) => ({ id: u.id, name: u.name, email: u.email })) } };
  };
  // Leads read the figures too: they supervise their teams' agents (per-agent figures).
  const managers = { access: ['admin', 'manager', 'lead'] as const };
  const tags = ['reports'];
  const sections: Array<[string, ReportSection]> = [
    ['/reports/kpis', 'kpis'],
    ['/reports/trends', 'trends'],
    ['/reports/causes', 'causes'],
    ['/reports/bottlenecks', 'bottlenecks'],
    ['/reports/agents', 'agents'],
  ];
  for (const [url, section] of sections) {
    app.get(url, { config: managers, schema: { tags, querystring: reportQuery, response: { 200: z.unknown() } } }, async (req, reply) => {
      const q = req.query;
      const report = await buildReport(
        deps.store.db,
        { from: q.from, to: q.to, tz: q.tz, asOf: q.as_of, team: q.team, level: q.level, priority: q.priority, tier: q.tier, channel: q.channel, firstLevel: q.first_level },
        deps.clock.now(),
      );
      if (q.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="escalon-${section}.csv"`)
          .send(reportCsv(report, section));
      }
      return reportJson(report, section);
    });
  }

  app.get(
    '/tickets/:ticketRef/review',
    {
      config: { access: STAFF_ROLES },
      schema: { tags, params: z.object({ ticketRef: z.string().min(1).max(64) }), querystring: z.object({ format: z.enum(['json', 'csv', 'markdown']).default('json') }).strict(), response: { 200: z.unknown() } },
    },
    async (req, reply) => {
      const ticket = await loadVisibleTicket(deps.store.db, actorOf(req), req.params.ticketRef);
      const events = await listEvents(deps.store.db, ticket.id, { includeInternal: true });
      const review = buildReview(
        ticket.id,
        events.map((e) => ({ at: e.at, type: e.type, payload: e.payload, actor: e.actor })),
        deps.clock.now(),
        { teamLevels: await loadTeamLevels(deps.store.db) },
      );
      const { lessons, choices } = await lessonsOf(await readLessons(deps, actorOf(req), ticket.key));
      const r = review ?? { ticketId: ticket.id, createdAt: ticket.createdAt, solvedAt: ticket.solvedAt, status: ticket.status, level: ticket.level ?? '', team: ticket.team ?? '', moves: [], stays: [], clocks: [] };
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${ticket.key}-review.csv"`).send(reviewCsv(ticket.key, r, lessons));
      if (req.query.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(reviewMarkdown(ticket.key, r, lessons));
      return { ...reviewJson(ticket.key, r, lessons), choices };
    },
  );

  // Leads, managers and admins record the lessons of a solved ticket (replacing the previous revision).
  app.put(
    '/tickets/:ticketRef/review',
    { config: { access: ['admin', 'manager', 'lead'] }, schema: { tags, params: z.object({ ticketRef: z.string().min(1).max(64) }), body: reviewIn, response: { 200: z.unknown() } } },
    async (req) => {
      const saved = await recordReview(deps, actorOf(req), req.params.ticketRef, req.body);
      return lessonsJson((await lessonsOf(saved)).lessons);
    },
  );
};
