/**
 * The dashboard (leads, managers, admins): the KPIs of GET /api/v1/reports/kpis as tiles and uPlot charts —
 * escalation rate and time to escalate over time, SLA compliance, per-level and per-team
 * performance, causes, bottlenecks, per-agent figures — with the report API's own filters, and
 * its CSV. Every number shown is a number of the report, unchanged except for rounding. Below,
 * the risk model's quality on tickets solved since it was trained (components/risk-quality.tsx).
 */
import { useState, type FormEvent } from 'react';
import { errorText, get, PRIORITIES, qs } from '../api.ts';
import { label, pct, shortDuration } from '../format.ts';
import { useSession } from '../session.tsx';
import { Chart, COLORS } from '../components/charts.tsx';
import { usePoll } from '../use-poll.ts';
import { RiskQualitySection } from '../components/risk-quality.tsx';

interface Ratio {
  numerator: number;
  denominator: number;
  rate: number | null;
}
interface Dist {
  count: number;
  median: number | null;
  p90: number | null;
}
interface Group {
  key: string;
  volume_in: number;
  time_held_ms: Dist;
  breach_rate: Ratio;
  re_escalation_rate: Ratio;
}
interface Spent {
  key: string;
  total_ms: number;
  mean_ms: number | null;
  share: number | null;
}
interface Trend {
  bucket: string;
  created: number;
  escalated: number;
  escalation_rate: number | null;
  solved: number;
  median_time_to_escalate_ms: number | null;
}
interface Agent {
  key: string;
  name?: string;
  email?: string;
  handled: number;
  escalated: number;
  time_to_first_response_ms: Dist;
  sla_met: Ratio;
  csat: Ratio;
}
export interface KpiReport {
  period: { from: string; to: string; time_zone: string };
  tickets_created: number;
  tickets_solved: number;
  escalation_rate: Ratio;
  time_to_escalate_ms: Dist;
  escalation_resolution_ms: Dist;
  re_escalation_rate: Ratio;
  first_contact_resolution: Ratio;
  sla_compliance: Record<string, Ratio & { met: number; breached: number; stopped: number }>;
  csat: { escalated: Ratio; not_escalated: Ratio };
  bounce_rate: Ratio;
  agents: Agent[];
  levels: Group[];
  teams: Group[];
  causes: { by_reason: Array<{ reason: string; count: number }>; by_rule: Array<{ rule: string; count: number }>; by_root_cause: Array<{ root_cause: string; count: number }> };
  bottlenecks: { by_level: Spent[]; by_status: Spent[]; checklist_items?: ChecklistItem[] };
  trends: { day: Trend[]; week: Trend[] };
}

/** Completion time of one checklist item (attached → ticked), from the bottleneck report. */
interface ChecklistItem {
  key: string;
  checklist: string;
  text: string;
  required: boolean;
  attached: number;
  done: number;
  median_ms: number | null;
  p90_ms: number | null;
}

type Filters = Record<'from' | 'to' | 'tz' | 'team' | 'level' | 'priority' | 'tier' | 'channel', string>;
const EMPTY: Filters = { from: '', to: '', tz: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', team: '', level: '', priority: '', tier: '', channel: '' };

export function DashboardPage() {
  const session = useSession();
  const model = session.policy?.model;
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [grain, setGrain] = useState<'day' | 'week'>('day');
  const query = qs(filters);
  // The route declares no response schema yet: its shape is this page's KpiReport.
  const report = usePoll(async () => (await get('/reports/kpis', { params: { query: Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '')) } })) as KpiReport, [query], 60_000);
  const tiers = [...new Set([...session.orgs.values()].map((o) => o.tier))];
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const r = report.data;
  const trend = r ? r.trends[grain] : [];
  const slaRows = r ? Object.entries(r.sla_compliance).filter(([, s]) => s.denominator > 0) : [];

  return (
    <section className="dashboard">
      <div className="page-head">
        <h1>Dashboard</h1>
        {r && (
          <p className="muted small">
            {r.period.from.slice(0, 10)} → {r.period.to.slice(0, 10)} ({r.period.time_zone}) ·{' '}
            <a href={`/api/v1/reports/kpis${qs({ ...filters, format: 'csv' })}`} download>
              CSV
            </a>
          </p>
        )}
      </div>
      <form className="toolbar" onSubmit={apply} aria-label="Report filters">
        <label>
          From
          <input type="date" name="from" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          To
          <input type="date" name="to" value={draft.to} onChange={set('to')} />
        </label>
        <label>
          Time zone
          <input name="tz" value={draft.tz} onChange={set('tz')} size={14} />
        </label>
        <label>
          Team
          <select name="team" value={draft.team} onChange={set('team')}>
            <option value="">all</option>
            {(model?.teams ?? []).map((t) => (
              <option key={t.id}>{t.id}</option>
            ))}
          </select>
        </label>
        <label>
          Level
          <select name="level" value={draft.level} onChange={set('level')}>
            <option value="">all</option>
            {(model?.levels ?? []).map((l) => (
              <option key={l.id}>{l.id}</option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select name="priority" value={draft.priority} onChange={set('priority')}>
            <option value="">all</option>
            {PRIORITIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Tier
          <select name="tier" value={draft.tier} onChange={set('tier')}>
            <option value="">all</option>
            {tiers.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <select name="channel" value={draft.channel} onChange={set('channel')}>
            <option value="">all</option>
            {['email', 'web', 'api', 'phone', 'chat', 'walk-in', 'sms', 'social'].map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Apply
        </button>
      </form>
      {report.error !== null && report.error !== undefined && (
        <p className="error" role="alert">
          Could not load the report: {errorText(report.error)}
        </p>
      )}
      {!r && report.loading && <p className="muted">Loading the report…</p>}
      {r && r.tickets_created === 0 && (
        <p className="notice">
          No tickets were created in this period with these filters. On a database filled before the reporting rollups existed, run{' '}
          <code>escalon report --rebuild-rollups</code> once.
        </p>
      )}
      {r && (
        <>
          <div className="tiles">
            <Tile title="Tickets created" value={String(r.tickets_created)} />
            <Tile title="Escalation rate" value={pct(r.escalation_rate.rate)} sub={`${r.escalation_rate.numerator} of ${r.escalation_rate.denominator}`} />
            <Tile title="Time to escalate" value={shortDuration(r.time_to_escalate_ms.median)} sub={`median · p90 ${shortDuration(r.time_to_escalate_ms.p90)}`} />
            <Tile title="Escalation resolution" value={shortDuration(r.escalation_resolution_ms.median)} sub={`median · p90 ${shortDuration(r.escalation_resolution_ms.p90)}`} />
            <Tile title="First-contact resolution" value={pct(r.first_contact_resolution.rate)} sub={`${r.first_contact_resolution.numerator} of ${r.first_contact_resolution.denominator} solved`} />
            <Tile title="Re-escalation" value={pct(r.re_escalation_rate.rate)} />
            <Tile title="Bounce rate" value={pct(r.bounce_rate.rate)} sub={`${r.bounce_rate.numerator} of ${r.bounce_rate.denominator}`} />
            <Tile
              title="CSAT escalated / not"
              value={`${pct(r.csat.escalated.rate)} / ${pct(r.csat.not_escalated.rate)}`}
              sub={`${r.csat.escalated.numerator}/${r.csat.escalated.denominator} · ${r.csat.not_escalated.numerator}/${r.csat.not_escalated.denominator} satisfied`}
            />
            {slaRows.map(([m, s]) => (
              <Tile key={m} title={`SLA ${label(m)}`} value={pct(s.rate)} sub={`${s.met} met · ${s.breached} breached · ${s.stopped} stopped`} />
            ))}
          </div>
          <div className="row spread">
            <h2>Over time</h2>
            <label className="small">
              Buckets{' '}
              <select value={grain} onChange={(e) => setGrain(e.target.value as 'day' | 'week')}>
                <option value="day">days</option>
                <option value="week">weeks</option>
              </select>
            </label>
          </div>
          <div className="charts">
            <Chart
              title="Escalation rate"
              categories={trend.map((t) => t.bucket)}
              yLabel="tickets"
              integerAxis
              y2Label="escalation rate"
              series={[
                { label: 'created', kind: 'bar', values: trend.map((t) => t.created), color: COLORS.info, format: count },
                { label: 'escalated', kind: 'bar', values: trend.map((t) => t.escalated), color: COLORS.warn, format: count },
                { label: 'escalation rate', kind: 'line', scale: 'y2', values: trend.map((t) => t.escalation_rate), color: COLORS.line, format: (v) => pct(v) },
              ]}
            />
            <Chart
              title="Time to escalate (median)"
              categories={trend.map((t) => t.bucket)}
              yLabel="escalated"
              integerAxis
              y2Label="median time to escalate"
              series={[
                { label: 'escalated', kind: 'bar', values: trend.map((t) => t.escalated), color: COLORS.warn, format: count },
                { label: 'median time to escalate', kind: 'line', scale: 'y2', values: trend.map((t) => t.median_time_to_escalate_ms), color: COLORS.line, format: (v) => shortDuration(v) },
              ]}
            />
            <Chart
              title="SLA compliance (met / (met + breached))"
              categories={slaRows.map(([m]) => label(m))}
              yLabel="compliance"
              yMax={1}
              series={[
                { label: 'compliance', kind: 'bar', values: slaRows.map(([, s]) => s.rate), color: COLORS.ok, format: (v) => pct(v) },
              ]}
            />
            <Chart title="Volume in per level" categories={r.levels.map((g) => g.key)} yLabel="stints" integerAxis series={[{ label: 'volume in', kind: 'bar', values: r.levels.map((g) => g.volume_in), color: COLORS.info, format: count }]} />
            <Chart
              title="Breach rate per level"
              categories={r.levels.map((g) => g.key)}
              yLabel="breach rate"
              yMax={1}
              series={[{ label: 'breach rate', kind: 'bar', values: r.levels.map((g) => g.breach_rate.rate), color: COLORS.breach, format: (v) => pct(v) }]}
            />
            <Chart
              title="Time held per team"
              categories={r.teams.map((g) => g.key)}
              yLabel="time held"
              series={[
                { label: 'p90', kind: 'bar', values: r.teams.map((g) => g.time_held_ms.p90), color: COLORS.warn, format: (v) => shortDuration(v) },
                { label: 'median', kind: 'bar', values: r.teams.map((g) => g.time_held_ms.median), color: COLORS.info, format: (v) => shortDuration(v) },
              ]}
            />
            <Chart title="Causes: root cause from reviews (escalated or reviewed tickets)" categories={r.causes.by_root_cause.map((c) => label(c.root_cause))} yLabel="tickets" integerAxis series={[{ label: 'tickets', kind: 'bar', values: r.causes.by_root_cause.map((c) => c.count), color: COLORS.warn, format: count }]} />
            <Chart title="Causes: escalations by reason" categories={r.causes.by_reason.map((c) => label(c.reason))} yLabel="escalations" integerAxis series={[{ label: 'escalations', kind: 'bar', values: r.causes.by_reason.map((c) => c.count), color: COLORS.warn, format: count }]} />
            <Chart title="Causes: escalations by rule" categories={r.causes.by_rule.map((c) => c.rule)} yLabel="escalations" integerAxis series={[{ label: 'escalations', kind: 'bar', values: r.causes.by_rule.map((c) => c.count), color: COLORS.warn, format: count }]} />
            <Chart title="Bottlenecks: time per level" categories={r.bottlenecks.by_level.map((t) => t.key)} yLabel="total time" series={[{ label: 'total time', kind: 'bar', values: r.bottlenecks.by_level.map((t) => t.total_ms), color: COLORS.info, format: (v) => shortDuration(v) }]} />
            <Chart title="Bottlenecks: time per status" categories={r.bottlenecks.by_status.map((t) => label(t.key))} yLabel="total time" series={[{ label: 'total time', kind: 'bar', values: r.bottlenecks.by_status.map((t) => t.total_ms), color: COLORS.info, format: (v) => shortDuration(v) }]} />
            {(r.bottlenecks.checklist_items ?? []).length > 0 && (
              <Chart
                title="Bottlenecks: checklist items, time from escalation to done"
                categories={(r.bottlenecks.checklist_items ?? []).map((c) => (c.text.length > 28 ? `${c.text.slice(0, 27)}…` : c.text))}
                yLabel="time to done"
                series={[
                  { label: 'p90', kind: 'bar', values: (r.bottlenecks.checklist_items ?? []).map((c) => c.p90_ms ?? 0), color: COLORS.warn, format: (v) => shortDuration(v) },
                  { label: 'median', kind: 'bar', values: (r.bottlenecks.checklist_items ?? []).map((c) => c.median_ms ?? 0), color: COLORS.info, format: (v) => shortDuration(v) },
                ]}
              />
            )}
          </div>
          <h2>Agents</h2>
          <p className="muted small">Tickets created in the period, by the agent who gave the first public reply.</p>
          {r.agents.length === 0 ? (
            <p className="muted">No ticket created in this period has had a public reply yet.</p>
          ) : (
            <table className="agents-table">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Handled</th>
                  <th scope="col">Escalated</th>
                  <th scope="col">First response (median · p90)</th>
                  <th scope="col">SLA met</th>
                  <th scope="col">CSAT</th>
                </tr>
              </thead>
              <tbody>
                {r.agents.map((a) => (
                  <tr key={a.key}>
                    <th scope="row">{a.name ?? a.email ?? a.key}</th>
                    <td>{a.handled}</td>
                    <td>{a.escalated}</td>
                    <td>
                      {shortDuration(a.time_to_first_response_ms.median)} · {shortDuration(a.time_to_first_response_ms.p90)}
                    </td>
                    <td>
                      {pct(a.sla_met.rate)} <span className="muted small">({a.sla_met.numerator}/{a.sla_met.denominator})</span>
                    </td>
                    <td>
                      {pct(a.csat.rate)} <span className="muted small">({a.csat.numerator}/{a.csat.denominator})</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      <RiskQualitySection team={filters.team} />
    </section>
  );
}

const count = (v: number): string => String(Math.round(v));

function Tile({ title, value, sub }: { title: string; value: string; sub?: string }) {
  return (
    <div className="tile">
      <div className="tile-title">{title}</div>
      <div className="tile-value">{value}</div>
      {sub && <div className="tile-sub muted small">{sub}</div>}
    </div>
  );
}
