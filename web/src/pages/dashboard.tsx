/**
 * The manager dashboard: the KPIs of GET /api/v1/reports/kpis as tiles and SVG charts —
 * escalation rate and time to escalate over time, SLA compliance, per-level and per-team
 * performance, causes, bottlenecks — with the report API's own filters, and its CSV.
 */
import { useState, type FormEvent } from 'react';
import { errorText, get, PRIORITIES, qs } from '../api.ts';
import { label, pct, shortDuration } from '../format.ts';
import { useSession } from '../session.tsx';
import { BarChart, TrendChart } from '../components/charts.tsx';
import { usePoll } from '../use-poll.ts';

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
export interface KpiReport {
  period: { from: string; to: string; time_zone: string };
  tickets_created: number;
  tickets_solved: number;
  escalation_rate: Ratio;
  time_to_escalate_ms: Dist;
  escalation_resolution_ms: Dist;
  re_escalation_rate: Ratio;
  first_contact_resolution: Ratio;
  sla_compliance: Record<string, Ratio & { breached: number }>;
  csat: { escalated: Ratio; not_escalated: Ratio };
  bounce_rate: Ratio;
  levels: Group[];
  teams: Group[];
  causes: { by_reason: Array<{ reason: string; count: number }>; by_rule: Array<{ rule: string; count: number }>; by_root_cause: Array<{ root_cause: string; count: number }> };
  bottlenecks: { by_level: Spent[]; by_status: Spent[] };
  trends: { day: Trend[]; week: Trend[] };
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
  const report = usePoll(() => get<KpiReport>(`/reports/kpis${query}`), [query], 60_000);
  const tiers = [...new Set([...session.orgs.values()].map((o) => o.tier))];
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  const r = report.data;
  const trend = r ? r.trends[grain] : [];

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
            {['email', 'web', 'api', 'sms', 'chat', 'social'].map((c) => (
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
            <Tile title="Bounce rate" value={pct(r.bounce_rate.rate)} />
            <Tile title="CSAT escalated / not" value={`${pct(r.csat.escalated.rate)} / ${pct(r.csat.not_escalated.rate)}`} sub={`${r.csat.escalated.denominator + r.csat.not_escalated.denominator} ratings`} />
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
            <TrendChart
              title="Escalation rate"
              points={trend.map((t) => ({ label: t.bucket, bars: t.created, bars2: t.escalated, line: t.escalation_rate }))}
              barLabel="created"
              bar2Label="escalated"
              lineLabel="escalation rate"
              lineFormat={(v) => pct(v)}
            />
            <TrendChart
              title="Time to escalate (median)"
              points={trend.map((t) => ({ label: t.bucket, bars: t.escalated, line: t.median_time_to_escalate_ms }))}
              barLabel="escalated"
              lineLabel="median time to escalate"
              lineFormat={(v) => shortDuration(v)}
            />
            <BarChart
              title="SLA compliance"
              max={1}
              bars={Object.entries(r.sla_compliance)
                .filter(([, s]) => s.denominator > 0)
                .map(([m, s]) => ({ label: label(m), value: s.rate, text: `${pct(s.rate)} of ${s.denominator}`, tone: s.rate === null ? 'info' : s.rate >= 0.9 ? 'ok' : s.rate >= 0.75 ? 'warn' : 'breach' }))}
            />
            <BarChart title="Volume in per level" bars={r.levels.map((g) => ({ label: g.key, value: g.volume_in }))} />
            <BarChart
              title="Breach rate per level"
              max={1}
              bars={r.levels.map((g) => ({ label: g.key, value: g.breach_rate.rate, text: pct(g.breach_rate.rate), tone: 'breach' }))}
            />
            <BarChart title="Median time held per team" bars={r.teams.map((g) => ({ label: g.key, value: g.time_held_ms.median, text: `${shortDuration(g.time_held_ms.median)} · p90 ${shortDuration(g.time_held_ms.p90)}` }))} />
            <BarChart title="Causes: root cause from reviews (escalated or reviewed tickets)" bars={r.causes.by_root_cause.map((c) => ({ label: label(c.root_cause), value: c.count, tone: 'warn' }))} />
            <BarChart title="Causes: escalations by reason" bars={r.causes.by_reason.map((c) => ({ label: label(c.reason), value: c.count, tone: 'warn' }))} />
            <BarChart title="Causes: escalations by rule" bars={r.causes.by_rule.map((c) => ({ label: c.rule, value: c.count, tone: 'warn' }))} />
            <BarChart title="Bottlenecks: time per level" bars={r.bottlenecks.by_level.map((t) => ({ label: t.key, value: t.total_ms, text: `${shortDuration(t.total_ms)} (${pct(t.share)})` }))} />
            <BarChart title="Bottlenecks: time per status" bars={r.bottlenecks.by_status.map((t) => ({ label: label(t.key), value: t.total_ms, text: `${shortDuration(t.total_ms)} (${pct(t.share)})` }))} />
          </div>
        </>
      )}
    </section>
  );
}

function Tile({ title, value, sub }: { title: string; value: string; sub?: string }) {
  return (
    <div className="tile">
      <div className="tile-title">{title}</div>
      <div className="tile-value">{value}</div>
      {sub && <div className="tile-sub muted small">{sub}</div>}
    </div>
  );
}
