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
import { METRICS, type Metric } from '../domain/policy/types.ts';
import { Bucketer, type Granularity } from '../domain/reporting/buckets.ts';
import { agentFigures, isBouncing, rootCauseCounts, slaCompliance, type GroupFigures, type KpiQuery, type KpiReport, type SlaCompliance, type TimeSpent, type TrendPoint } from '../domain/reporting/kpis.ts';
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
  const b = rdb.selectFrom('ticket_stints as s').where('s.ticket_created_at', '>=', q.from).where('s.ticket_created_at', '<', q.to);
  const cond = filterCondition(q);
  if (!cond) return b;
  // the facts' own range too, so that the planner can semi-join two small ranges
  return b.where((eb) =>
    eb.exists(eb.selectFrom('ticket_facts as f').select('f.ticket_id').whereRef('f.ticket_id', '=', 's.ticket_id').where('f.created_at', '>=', q.from).where('f.created_at', '<', q.to).where(cond)),
  );
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const byKey = <T extends { key: string }>(xs: T[]): T[] => xs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const SLA_PREFIX: Record<Metric, string> = { first_response: 'fr', next_response: 'nr', periodic_update: 'pu', resolution: 'res' };

function trend(created: Array<{ c: number; e: number | null }>, solved: Array<{ s: number; e: number | null; fcr: boolean }>, q: KpiQuery, b: Bucketer, g: Granularity): TrendPoint[] {
  const cb = new Map<string, Array<{ c: number; e: number | null }>>();
  for (const r of created) {
    const k = b.label(r.c, g);
    const l = cb.get(k);
    if (l) l.push(r);
    else cb.set(k, [r]);
  }
  const sb = new Map<string, Array<{ s: number; e: number | null; fcr: boolean }>>();
  for (const r of solved) {
    const k = b.label(r.s, g);
    const l = sb.get(k);
    if (l) l.push(r);
    else sb.set(k, [r]);
  }
  return b.labels(q.from, q.to, g).map((bucket) => {
    const cr = cb.get(bucket) ?? [];
    const so = sb.get(bucket) ?? [];
    const esc = cr.filter((r) => r.e !== null);
    return {
      bucket,
      created: cr.length,
      escalated: esc.length,
      escalationRate: ratio(esc.length, cr.length).rate,
      solved: so.length,
      firstContactResolved: so.filter((r) => r.fcr).length,
      medianTimeToEscalateMs: distribution(esc.map((r) => (r.e ?? 0) - r.c)).median,
      medianEscalationResolutionMs: distribution(so.filter((r) => r.e !== null).map((r) => r.s - (r.e ?? 0))).median,
    };
  });
}

export async function kpisFromRollups(db: Kysely<Database>, q: KpiQuery): Promise<KpiReport> {
  const rdb = reportingDb(db);
  const asOf = sql<number>`cast(${q.asOf} as bigint)`;

  const createdRows = await facts(rdb, q, 'created')
    .select(['f.created_at', 'f.first_escalated_at', 'f.escalations', 'f.reassignments', 'f.bounces', 'f.csat', 'f.root_cause', 'f.status', 'f.status_since', 'f.ms_new', 'f.ms_open', 'f.ms_pending', 'f.ms_on_hold', 'f.first_responder', 'f.first_replied_at'])
    .select([sql<number>`f.fr_met + f.nr_met + f.pu_met + f.res_met`.as('sla_met'), sql<number>`f.fr_breached + f.nr_breached + f.pu_breached + f.res_breached`.as('sla_breached')])
    .execute();
  const slaSums = await facts(rdb, q, 'created')
    .select(METRICS.flatMap((m) => ['ended', 'met', 'breached', 'stopped'].map((part) => sql<number>`sum(${sql.ref(`f.${SLA_PREFIX[m]}_${part}`)})`.as(`${SLA_PREFIX[m]}_${part}`))))
    .executeTakeFirst();
  const solvedRows = await facts(rdb, q, 'solved').select(['f.solved_at', 'f.first_escalated_at', 'f.escalations', 'f.solved_level', 'f.public_agent_replies']).execute();

  const stintBase = () => stints(rdb, q);
  const complete = sql<SqlBool>`(s.left_at is not null or s.active_since is null)`;
  const groups = await stintBase()
    .select([
      's.kind',
      's.key',
      sql<number>`count(*)`.as('volume'),
      sql<number>`sum(case when s.breaches > 0 then 1 else 0 end)`.as('breached'),
      sql<number>`sum(case when s.entered_by = 'escalated' then 1 else 0 end)`.as('esc_in'),
      sql<number>`sum(case when s.entered_by = 'escalated' and s.left_by = 'escalated' then 1 else 0 end)`.as('re_esc'),
      sql<number>`sum(case when ${complete} then 1 else 0 end)`.as('complete'),
      sql<number>`sum(s.held_ms + case when s.active_since is not null and ${asOf} > s.active_since then ${asOf} - s.active_since else 0 end)`.as('total_ms'),
      sql<number>`count(distinct s.ticket_id)`.as('tickets'),
    ])
    .groupBy(['s.kind', 's.key'])
    .execute();
  const ranked = stintBase()
    .where(complete)
    .select([
      's.kind',
      's.key',
      's.held_ms',
      sql<number>`row_number() over (partition by s.kind, s.key order by s.held_ms)`.as('rn'),
      sql<number>`count(*) over (partition by s.kind, s.key)`.as('n'),
    ]);
  const percentiles = await rdb
    .selectFrom(ranked.as('r'))
    .select(['r.kind', 'r.key', 'r.held_ms', 'r.rn', 'r.n'])
    .where((eb) => eb.or([eb('r.rn', '=', sql<number>`(r.n + 1) / 2`), eb('r.rn', '=', sql<number>`(9 * r.n + 9) / 10`)]))
    .execute();
  const causes = await stintBase()
    .where('s.kind', '=', 'team')
    .where('s.entered_by', '=', 'escalated')
    .select(['s.reason', 's.rule', sql<number>`count(*)`.as('n')])
    .groupBy(['s.reason', 's.rule'])
    .execute();

  // per-ticket figures of the created cohort
  const escalated = createdRows.filter((r) => r.first_escalated_at !== null);
  const rated = (rows: typeof createdRows) => {
    const withRating = rows.filter((r) => r.csat !== null);
    return ratio(withRating.filter((r) => n(r.csat) >= 4).length, withRating.length);
  };
  const statusTime = new Map<string, { ms: number; tickets: number }>();
  for (const r of createdRows) {
    const ms: Record<string, number> = { new: n(r.ms_new), open: n(r.ms_open), pending: n(r.ms_pending), on_hold: n(r.ms_on_hold) };
    for (const st of WAIT_STATUSES) {
      const total = (ms[st] ?? 0) + (r.status === st ? Math.max(0, q.asOf - n(r.status_since)) : 0);
      if (total > 0 || r.status === st) {
        const t = statusTime.get(st) ?? { ms: 0, tickets: 0 };
        t.ms += total;
        t.tickets += 1;
        statusTime.set(st, t);
      }
    }
  }
  const spent = (entries: Array<{ key: string; ms: number; tickets: number }>): TimeSpent[] => {
    const all = entries.reduce((a, e) => a + e.ms, 0);
    return byKey(entries.map((e) => ({ key: e.key, totalMs: e.ms, tickets: e.tickets, meanMs: e.tickets === 0 ? null : e.ms / e.tickets, share: all === 0 ? null : e.ms / all })));
  };

  const sla = {} as Record<Metric, SlaCompliance>;
  const sums = (slaSums ?? {}) as Record<string, unknown>;
  for (const m of METRICS) {
    const p = SLA_PREFIX[m];
    const ended = n(sums[`${p}_ended`]);
    const met = n(sums[`${p}_met`]);
    const stopped = n(sums[`${p}_stopped`]);
    sla[m] = slaCompliance({ ended, met, breached: n(sums[`${p}_breached`]), stopped });
  }

  const pct = new Map<string, { median: number | null; p90: number | null }>();
  for (const r of percentiles) {
    const id = `${r.kind}\u0000${r.key}`;
    const cur = pct.get(id) ?? { median: null, p90: null };
    const rn = n(r.rn);
    const count = n(r.n);
    if (rn === Math.floor((count + 1) / 2)) cur.median = n(r.held_ms);
    if (rn === Math.floor((9 * count + 9) / 10)) cur.p90 = n(r.held_ms);
    pct.set(id, cur);
  }
  const figures = (kind: string): GroupFigures[] =>
    byKey(
      groups
        .filter((g) => g.kind === kind)
        .map((g) => {
          const p = pct.get(`${g.kind}\u0000${g.key}`) ?? { median: null, p90: null };
          const volume = n(g.volume);
          const completeCount = n(g.complete);
          return {
            key: g.key,
            volumeIn: volume,
            timeHeldMs: { count: completeCount, median: p.median, p90: p.p90 },
            stillHeld: volume - completeCount,
            breachRate: ratio(n(g.breached), volume),
            reEscalationRate: ratio(n(g.re_esc), n(g.esc_in)),
          };
        }),
    );
  const tally = (key: (c: (typeof causes)[number]) => string) => {
    const m = new Map<string, number>();
    for (const c of causes) m.set(key(c), (m.get(key(c)) ?? 0) + n(c.n));
    return [...m].map(([k, count]) => ({ k, count })).sort((a, b) => b.count - a.count || (a.k < b.k ? -1 : 1));
  };

  const firstLevel = q.firstLevel;
  const solvedNarrow = solvedRows.map((r) => ({ s: n(r.solved_at), e: r.first_escalated_at === null ? null : n(r.first_escalated_at), fcr: n(r.escalations) === 0 && r.solved_level === firstLevel && n(r.public_agent_replies) === 1 }));
  const createdNarrow = createdRows.map((r) => ({ c: n(r.created_at), e: r.first_escalated_at === null ? null : n(r.first_escalated_at) }));
  const bucketer = new Bucketer(q.timeZone);
  return {
    period: { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), timeZone: q.timeZone, asOf: new Date(q.asOf).toISOString() },
    filters: q.filters,
    ticketsCreated: createdRows.length,
    ticketsSolved: solvedRows.length,
    escalationRate: ratio(escalated.length, createdRows.length),
    timeToEscalateMs: distribution(escalated.map((r) => n(r.first_escalated_at) - n(r.created_at))),
    escalationResolutionMs: distribution(solvedNarrow.filter((r) => r.e !== null).map((r) => r.s - (r.e ?? 0))),
    reEscalationRate: ratio(escalated.filter((r) => n(r.escalations) > 1).length, escalated.length),
    firstContactResolution: ratio(solvedNarrow.filter((r) => r.fcr).length, solvedNarrow.length),
    slaCompliance: sla,
    csat: { escalated: rated(escalated), notEscalated: rated(createdRows.filter((r) => r.first_escalated_at === null)) },
    bounceRate: ratio(createdRows.filter((r) => isBouncing({ bounces: n(r.bounces), reassignments: n(r.reassignments) })).length, createdRows.length),
    agents: agentFigures(
      createdRows.map((r) => ({
        firstResponder: r.first_responder,
        createdAt: n(r.created_at),
        firstRepliedAt: r.first_replied_at === null ? null : n(r.first_replied_at),
        escalated: r.first_escalated_at !== null,
        slaMet: n(r.sla_met),
        slaBreached: n(r.sla_breached),
        csat: r.csat === null ? null : n(r.csat),
      })),
    ),
    levels: figures('level'),
    teams: figures('team'),
    causes: {
      byReason: tally((c) => c.reason ?? 'other').map(({ k, count }) => ({ reason: k, count })),
      byRule: tally((c) => c.rule ?? 'manual').map(({ k, count }) => ({ rule: k, count })),
      byRootCause: rootCauseCounts(createdRows.map((r) => ({ escalated: r.first_escalated_at !== null, rootCause: r.root_cause ?? null }))),
    },
    bottlenecks: {
      byLevel: spent(groups.filter((g) => g.kind === 'level').map((g) => ({ key: g.key, ms: n(g.total_ms), tickets: n(g.tickets) }))),
      byStatus: spent([...statusTime].map(([key, v]) => ({ key, ms: v.ms, tickets: v.tickets }))),
    },
    trends: { day: trend(createdNarrow, solvedNarrow, q, bucketer, 'day'), week: trend(createdNarrow, solvedNarrow, q, bucketer, 'week') },
  };
}
