/**
 * The product path of a report: aggregate the rollups in SQL where a figure is a count, a sum
 * or a per-group percentile, and read narrow per-ticket rows only where the figure needs them
 * (time to escalate, escalation resolution, first-contact resolution, status time, trends).
 *
 * It must give exactly what `computeKpis` gives on the same tickets (the naive path): the
 * tests compare the two on both dialects. So: percentiles are nearest rank, computed with
 * row_number() over the sorted values at ranks ceil(n/2) = (n+1)/2 and ceil(9n/10) =
 * (9n+9)/10 in integer arithmetic; groups are sorted the way kpis.ts sorts them.
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { parseDate, weekdayOf } from '../domain/calendar-civil.ts';
import { METRICS, type Metric } from '../domain/policy/types.ts';
import { Bucketer, type Granularity } from '../domain/reporting/buckets.ts';
import {
  rootCauseCounts,
  slaCompliance,
  type AgentFigures,
  type GroupFigures,
  type KpiQuery,
  type KpiReport,
  type SlaCompliance,
  type TimeSpent,
  type TrendPoint,
} from '../domain/reporting/kpis.ts';
import { distribution, ratio } from '../domain/reporting/stats.ts';
import { WAIT_STATUSES } from '../domain/reporting/ticket-facts.ts';
import type { Database } from '../store/schema.ts';
import { reportingDb, type ReportingDb } from './schema.ts';

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const visited = (column: 'f.teams_visited' | 'f.levels_visited', key: string): Expression<SqlBool> =>
  sql<SqlBool>`${sql.ref(column)} like ${`%|${likeEscape(key)}|%`} escape '\\'`;

/** The filters as one condition on `f` (ticket_facts), or null when there are none. */
function filterCondition(q: KpiQuery): Expression<SqlBool> | null {
  const fl = q.filters;
  const conds: Array<Expression<SqlBool>> = [];
  if (fl.priority !== undefined) conds.push(sql<SqlBool>`f.priority = ${fl.priority}`);
  if (fl.tier !== undefined) conds.push(sql<SqlBool>`f.tier = ${fl.tier}`);
  if (fl.channel !== undefined) conds.push(sql<SqlBool>`f.channel = ${fl.channel}`);
  if (fl.team !== undefined) conds.push(visited('f.teams_visited', fl.team));
  if (fl.level !== undefined) conds.push(visited('f.levels_visited', fl.level));
  return conds.length === 0 ? null : sql<SqlBool>`(${sql.join(conds, sql` and `)})`;
}

function facts(rdb: ReportingDb, q: KpiQuery, cohort: 'created' | 'solved') {
  const col = cohort === 'created' ? 'f.created_at' : 'f.solved_at';
  const b = rdb.selectFrom('ticket_facts as f').where(col, '>=', q.from).where(col, '<', q.to);
  const cond = filterCondition(q);
  return cond ? b.where(cond) : b;
}

/** The created cohort's stints by their own range index; joined to the facts only to filter. */
function stints(rdb: ReportingDb, q: KpiQuery) {
  const b = rdb
    .selectFrom('ticket_stints as s')
    .where('s.ticket_created_at', '>=', q.from)
    .where('s.ticket_created_at', '<', q.to);
  const cond = filterCondition(q);
  if (!cond) return b;
  // the facts' own range too, so that the planner can semi-join two small ranges
  return b.where((eb) =>
    eb.exists(
      eb
        .selectFrom('ticket_facts as f')
        .select('f.ticket_id')
        .whereRef('f.ticket_id', '=', 's.ticket_id')
        .where('f.created_at', '>=', q.from)
        .where('f.created_at', '<', q.to)
        .where(cond),
    ),
  );
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const byKey = <T extends { key: string }>(xs: T[]): T[] =>
  xs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const SLA_PREFIX: Record<Metric, string> = {
  first_response: 'fr',
  next_response: 'nr',
  periodic_update: 'pu',
  resolution: 'res',
};

function trend(
  created: Array<{ c: number; e: number | null }>,
  solved: Array<{ s: number; e: number | null; fcr: boolean }>,
  q: KpiQuery,
  b: Bucketer,
  g: Granularity,
): TrendPoint[] {
  // bucketed by the local day number of the bucket's first day; labels are made once per bucket
  const bucketOf = (at: number) => {
    const day = b.localDay(at);
    return g === 'day' ? day : day - weekdayOf(day);
  };
  const cb = new Map<number, Array<{ c: number; e: number | null }>>();
  for (const r of created) {
    const k = bucketOf(r.c);
    const l = cb.get(k);
    if (l) l.push(r);
    else cb.set(k, [r]);
  }
  const sb = new Map<number, Array<{ s: number; e: number | null; fcr: boolean }>>();
  for (const r of solved) {
    const k = bucketOf(r.s);
    const l = sb.get(k);
    if (l) l.push(r);
    else sb.set(k, [r]);
  }
  return b.labels(q.from, q.to, g).map((bucket) => {
    const day = parseDate(bucket) ?? NaN;
    const cr = cb.get(day) ?? [];
    const so = sb.get(day) ?? [];
    const esc = cr.filter((r) => r.e !== null);
    return {
      bucket,
      created: cr.length,
      escalated: esc.length,
      escalationRate: ratio(esc.length, cr.length).rate,
      solved: so.length,
      firstContactResolved: so.filter((r) => r.fcr).length,
      medianTimeToEscalateMs: distribution(esc.map((r) => (r.e ?? 0) - r.c)).median,
      medianEscalationResolutionMs: distribution(so.filter((r) => r.e !== null).map((r) => r.s - (r.e ?? 0)))
        .median,
    };
  });
}

/** The integers of a `string_agg(cast(x as text), ',')`, sorted ascending (none for null). */
const sortedList = (list: unknown): Float64Array => {
  if (list === null || list === undefined || list === '') return new Float64Array(0);
  // a typed array sorts numerically in native code; the values are integer ms, exact in a double
  return Float64Array.from(String(list).split(','), Number).sort();
};
const listOf = (expr: Expression<unknown>) => sql<string | null>`string_agg(cast(${expr} as text), ',')`;

/**
 * Every KPI of a period. Seven independent statements, sent together (on PostgreSQL they run
 * on separate pool connections at once): each reads one index range once and returns either
 * one row of sums or a few narrow columns per ticket; the values a percentile needs come back
 * as one comma-separated list per group (`string_agg`), not a row each.
 */
export async function kpisFromRollups(db: Kysely<Database>, q: KpiQuery): Promise<KpiReport> {
  const rdb = reportingDb(db);
  const asOf = sql<number>`cast(${q.asOf} as bigint)`;
  const escalatedCond = sql<SqlBool>`f.first_escalated_at is not null`;
  const count = (cond: Expression<SqlBool>) => sql<number>`sum(case when ${cond} then 1 else 0 end)`;
  const waitMs = (st: string) =>
    sql<number>`(${sql.ref(`f.ms_${st}`)} + case when f.status = ${st} and ${asOf} > f.status_since then ${asOf} - f.status_since else 0 end)`;

  const createdSums = facts(rdb, q, 'created')
    .select([
      sql<number>`count(*)`.as('created'),
      count(escalatedCond).as('escalated'),
      count(sql<SqlBool>`f.first_escalated_at is not null and f.escalations > 1`).as('re_escalated'),
      count(sql<SqlBool>`f.first_escalated_at is not null and f.csat is not null`).as('esc_rated'),
      count(sql<SqlBool>`f.first_escalated_at is not null and f.csat >= 4`).as('esc_happy'),
      count(sql<SqlBool>`f.first_escalated_at is null and f.csat is not null`).as('calm_rated'),
      count(sql<SqlBool>`f.first_escalated_at is null and f.csat >= 4`).as('calm_happy'),
      count(sql<SqlBool>`f.bounces > 0 or f.reassignments > 2`).as('bouncing'),
      ...METRICS.flatMap((m) =>
        ['ended', 'met', 'breached', 'stopped'].map((part) =>
          sql<number>`sum(${sql.ref(`f.${SLA_PREFIX[m]}_${part}`)})`.as(`${SLA_PREFIX[m]}_${part}`),
        ),
      ),
      ...WAIT_STATUSES.flatMap((st) => [
        sql<number>`sum(${waitMs(st)})`.as(`${st}_ms`),
        count(sql<SqlBool>`${waitMs(st)} > 0 or f.status = ${st}`).as(`${st}_tickets`),
      ]),
    ])
    .executeTakeFirst();
  const createdRowsQ = facts(rdb, q, 'created').select(['f.created_at', 'f.first_escalated_at']).execute();
  const agentsQ = facts(rdb, q, 'created')
    .where('f.first_responder', 'is not', null)
    .select([
      'f.first_responder',
      sql<number>`count(*)`.as('handled'),
      count(escalatedCond).as('escalated'),
      sql<number>`sum(f.fr_met + f.nr_met + f.pu_met + f.res_met)`.as('met'),
      sql<number>`sum(f.fr_breached + f.nr_breached + f.pu_breached + f.res_breached)`.as('breached'),
      count(sql<SqlBool>`f.csat is not null`).as('rated'),
      count(sql<SqlBool>`f.csat >= 4`).as('happy'),
      listOf(sql`coalesce(f.first_replied_at, f.created_at) - f.created_at`).as('frt'),
    ])
    .groupBy('f.first_responder')
    .execute();
  const rootCausesQ = facts(rdb, q, 'created')
    .where((eb) => eb.or([eb('f.first_escalated_at', 'is not', null), eb('f.root_cause', 'is not', null)]))
    .select(['f.root_cause', sql<number>`count(*)`.as('n')])
    .groupBy('f.root_cause')
    .execute();
  const solvedRowsQ = facts(rdb, q, 'solved')
    .select([
      'f.solved_at',
      'f.first_escalated_at',
      sql<number>`case when f.escalations = 0 and f.solved_level = ${q.firstLevel} and f.public_agent_replies = 1 then 1 else 0 end`.as(
        'fcr',
      ),
    ])
    .execute();

  const complete = sql<SqlBool>`(s.left_at is not null or s.active_since is null)`;
  const groupsQ = stints(rdb, q)
    .select([
      's.kind',
      's.key',
      sql<number>`count(*)`.as('volume'),
      sql<number>`sum(case when s.breaches > 0 then 1 else 0 end)`.as('breached'),
      sql<number>`sum(case when s.entered_by = 'escalated' then 1 else 0 end)`.as('esc_in'),
      sql<number>`sum(case when s.entered_by = 'escalated' and s.left_by = 'escalated' then 1 else 0 end)`.as(
        're_esc',
      ),
      sql<number>`sum(case when ${complete} then 1 else 0 end)`.as('complete'),
      sql<number>`sum(s.held_ms + case when s.active_since is not null and ${asOf} > s.active_since then ${asOf} - s.active_since else 0 end)`.as(
        'total_ms',
      ),
      sql<number>`count(distinct s.ticket_id)`.as('tickets'),
      listOf(sql`case when ${complete} then s.held_ms end`).as('held'),
    ])
    .groupBy(['s.kind', 's.key'])
    .execute();
  const causesQ = stints(rdb, q)
    .where('s.kind', '=', 'team')
    .where('s.entered_by', '=', 'escalated')
    .select(['s.reason', 's.rule', sql<number>`count(*)`.as('n')])
    .groupBy(['s.reason', 's.rule'])
    .execute();
  const [sumsRow, createdRows, agentRows, rootCauses, solvedRows, groups, causes] = await Promise.all([
    createdSums,
    createdRowsQ,
    agentsQ,
    rootCausesQ,
    solvedRowsQ,
    groupsQ,
    causesQ,
  ]);
  const sums = (sumsRow ?? {}) as Record<string, unknown>;

  const created = n(sums.created);
  const escalatedCount = n(sums.escalated);
  const spent = (entries: Array<{ key: string; ms: number; tickets: number }>): TimeSpent[] => {
    const all = entries.reduce((a, e) => a + e.ms, 0);
    return byKey(
      entries.map((e) => ({
        key: e.key,
        totalMs: e.ms,
        tickets: e.tickets,
        meanMs: e.tickets === 0 ? null : e.ms / e.tickets,
        share: all === 0 ? null : e.ms / all,
      })),
    );
  };
  const statusTime = WAIT_STATUSES.filter((st) => n(sums[`${st}_tickets`]) > 0).map((st) => ({
    key: st,
    ms: n(sums[`${st}_ms`]),
    tickets: n(sums[`${st}_tickets`]),
  }));

  const sla = {} as Record<Metric, SlaCompliance>;
  for (const m of METRICS) {
    const p = SLA_PREFIX[m];
    sla[m] = slaCompliance({
      ended: n(sums[`${p}_ended`]),
      met: n(sums[`${p}_met`]),
      breached: n(sums[`${p}_breached`]),
      stopped: n(sums[`${p}_stopped`]),
    });
  }

  // nearest rank over the complete stints' held time, as the naive path computes it
  const figures = (kind: string): GroupFigures[] =>
    byKey(
      groups
        .filter((g) => g.kind === kind)
        .map((g) => {
          const held = sortedList(g.held);
          const volume = n(g.volume);
          const completeCount = n(g.complete);
          const at = (rank: number) => (held.length === 0 ? null : (held[rank - 1] ?? null));
          return {
            key: g.key,
            volumeIn: volume,
            timeHeldMs: {
              count: completeCount,
              median: at(Math.floor((held.length + 1) / 2)),
              p90: at(Math.floor((9 * held.length + 9) / 10)),
            },
            stillHeld: volume - completeCount,
            breachRate: ratio(n(g.breached), volume),
            reEscalationRate: ratio(n(g.re_esc), n(g.esc_in)),
          };
        }),
    );
  const tally = (key: (c: (typeof causes)[number]) => string) => {
    const m = new Map<string, number>();
    for (const c of causes) m.set(key(c), (m.get(key(c)) ?? 0) + n(c.n));
    return [...m]
      .map(([k, count]) => ({ k, count }))
      .sort((a, b) => b.count - a.count || (a.k < b.k ? -1 : 1));
  };

  const solvedNarrow = solvedRows.map((r) => ({
    s: n(r.solved_at),
    e: r.first_escalated_at === null ? null : n(r.first_escalated_at),
    fcr: n(r.fcr) === 1,
  }));
  const createdNarrow = createdRows.map((r) => ({
    c: n(r.created_at),
    e: r.first_escalated_at === null ? null : n(r.first_escalated_at),
  }));
  const agents: AgentFigures[] = agentRows
    .map((r) => ({ key: String(r.first_responder), r }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, r }) => {
      const met = n(r.met);
      const breached = n(r.breached);
      return {
        key,
        handled: n(r.handled),
        escalated: n(r.escalated),
        timeToFirstResponseMs: distribution(Array.from(sortedList(r.frt))),
        slaMet: ratio(met, met + breached),
        csat: ratio(n(r.happy), n(r.rated)),
      };
    });
  const rootCauseTickets = rootCauses.map((r) => ({ rootCause: r.root_cause ?? null, count: n(r.n) }));
  const bucketer = new Bucketer(q.timeZone);
  return {
    period: {
      from: new Date(q.from).toISOString(),
      to: new Date(q.to).toISOString(),
      timeZone: q.timeZone,
      asOf: new Date(q.asOf).toISOString(),
    },
    filters: q.filters,
    ticketsCreated: created,
    ticketsSolved: solvedRows.length,
    escalationRate: ratio(escalatedCount, created),
    timeToEscalateMs: distribution(createdNarrow.filter((r) => r.e !== null).map((r) => (r.e ?? 0) - r.c)),
    escalationResolutionMs: distribution(
      solvedNarrow.filter((r) => r.e !== null).map((r) => r.s - (r.e ?? 0)),
    ),
    reEscalationRate: ratio(n(sums.re_escalated), escalatedCount),
    firstContactResolution: ratio(solvedNarrow.filter((r) => r.fcr).length, solvedNarrow.length),
    slaCompliance: sla,
    csat: {
      escalated: ratio(n(sums.esc_happy), n(sums.esc_rated)),
      notEscalated: ratio(n(sums.calm_happy), n(sums.calm_rated)),
    },
    bounceRate: ratio(n(sums.bouncing), created),
    agents,
    levels: figures('level'),
    teams: figures('team'),
    causes: {
      byReason: tally((c) => c.reason ?? 'other').map(({ k, count }) => ({ reason: k, count })),
      byRule: tally((c) => c.rule ?? 'manual').map(({ k, count }) => ({ rule: k, count })),
      byRootCause: rootCauseCountsOf(rootCauseTickets),
    },
    bottlenecks: {
      byLevel: spent(
        groups
          .filter((g) => g.kind === 'level')
          .map((g) => ({ key: g.key, ms: n(g.total_ms), tickets: n(g.tickets) })),
      ),
      byStatus: spent(statusTime),
    },
    trends: {
      day: trend(createdNarrow, solvedNarrow, q, bucketer, 'day'),
      week: trend(createdNarrow, solvedNarrow, q, bucketer, 'week'),
    },
  };
}

/** rootCauseCounts of kpis.ts over pre-counted groups: the same labels, order and ties. */
function rootCauseCountsOf(
  groups: Array<{ rootCause: string | null; count: number }>,
): Array<{ rootCause: string; count: number }> {
  const m = new Map<string, number>();
  for (const g of groups) {
    // one escalated ticket of the group gives its label (a null root cause reads "unreviewed")
    const label = rootCauseCounts([{ escalated: true, rootCause: g.rootCause }])[0]?.rootCause;
    if (label !== undefined) m.set(label, (m.get(label) ?? 0) + g.count);
  }
  return [...m]
    .map(([rootCause, count]) => ({ rootCause, count }))
    .sort((a, b) => b.count - a.count || (a.rootCause < b.rootCause ? -1 : 1));
}
