/**
 * One report, three renderings: JSON (snake_case keys, what the API returns), CSV (one row
 * per figure: section, group, metric, value — the same numbers as the JSON, unrounded) and a
 * text table for people (rounded). The API and the CLI both render through this file, so
 * they cannot drift apart.
 */
import type { KpiReport } from '../domain/reporting/kpis.ts';
import { csvLines } from './csv-cell.ts';

export type ReportSection = 'kpis' | 'trends' | 'causes' | 'bottlenecks' | 'agents';
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function toSnake(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(toSnake);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), toSnake(x)]));
  if (v === undefined) return null;
  return v as JsonValue;
}

/** The report (or one section of it) as the API's JSON body. */
export function reportJson(r: KpiReport, section: ReportSection = 'kpis'): { [k: string]: JsonValue } {
  const head = { period: r.period, filters: r.filters };
  const body =
    section === 'trends' ? { ...head, trends: r.trends } : section === 'agents' ? { ...head, agents: r.agents } : section === 'causes' ? { ...head, causes: r.causes } : section === 'bottlenecks' ? { ...head, bottlenecks: r.bottlenecks } : r;
  return toSnake(body) as { [k: string]: JsonValue };
}

const GROUP_KEYS = ['key', 'bucket', 'reason', 'rule', 'root_cause'];
/** Sections whose first-level keys are groups (metric names, escalated / not escalated). */
const KEYED_SECTIONS = new Set(['sla_compliance', 'csat']);

/** section, group, metric, value: the value stays a number when the report has a number. */
type Row = [string, string, string, string | number];

function flatten(v: JsonValue, section: string, group: string, prefix: string, out: Row[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        const gk = GROUP_KEYS.find((k) => k in item);
        const g = gk ? String(item[gk]) : group;
        const rest = Object.fromEntries(Object.entries(item).filter(([k]) => k !== gk));
        flatten(rest, section, g, prefix, out);
      }
    }
    return;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (prefix === '' && group === '' && KEYED_SECTIONS.has(section)) flatten(x, section, k, '', out);
      else if (x && typeof x === 'object' && !Array.isArray(x)) flatten(x, section, group, `${prefix}${k}.`, out);
      else if (Array.isArray(x)) flatten(x, `${section}.${k}`, group, prefix, out);
      else out.push([section, group, `${prefix}${k}`, cellValue(x)]);
    }
    return;
  }
  out.push([section, group, prefix.replace(/\.$/, '') || 'value', cellValue(v)]);
}

const cellValue = (v: JsonValue): string | number => (v === null ? '' : typeof v === 'number' ? v : String(v));

/** CSV rows `section,group,metric,value`. Text that could start a spreadsheet formula is neutralised (csv-cell.ts). */
export function reportCsv(r: KpiReport, section: ReportSection = 'kpis'): string {
  const json = reportJson(r, section);
  const rows: Row[] = [];
  for (const [k, v] of Object.entries(json)) {
    if (k === 'filters') {
      for (const [fk, fv] of Object.entries(v as Record<string, JsonValue>)) rows.push(['filters', '', fk, String(fv)]);
    } else flatten(v, k, '', '', rows);
  }
  return csvLines([['section', 'group', 'metric', 'value'], ...rows]);
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const m = Math.round(ms / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}`;
  return `${(h / 24).toFixed(1)}d`;
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A text rendering for the terminal. */
export function reportTable(r: KpiReport): string {
  const f = Object.entries(r.filters).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  const out: string[] = [`Escalation report ${r.period.from} → ${r.period.to} (${r.period.timeZone}); filters: ${f}`, ''];
  out.push(
    table(
      ['figure', 'value', 'of'],
      [
        ['tickets created', String(r.ticketsCreated), ''],
        ['tickets solved', String(r.ticketsSolved), ''],
        ['escalation rate', pct(r.escalationRate.rate), `${r.escalationRate.numerator}/${r.escalationRate.denominator}`],
        ['time to escalate (median / p90)', `${formatDuration(r.timeToEscalateMs.median)} / ${formatDuration(r.timeToEscalateMs.p90)}`, String(r.timeToEscalateMs.count)],
        ['escalation resolution (median / p90)', `${formatDuration(r.escalationResolutionMs.median)} / ${formatDuration(r.escalationResolutionMs.p90)}`, String(r.escalationResolutionMs.count)],
        ['re-escalation rate', pct(r.reEscalationRate.rate), `${r.reEscalationRate.numerator}/${r.reEscalationRate.denominator}`],
        ['first-contact resolution', pct(r.firstContactResolution.rate), `${r.firstContactResolution.numerator}/${r.firstContactResolution.denominator}`],
        ['bounce rate', pct(r.bounceRate.rate), `${r.bounceRate.numerator}/${r.bounceRate.denominator}`],
        ['CSAT escalated', pct(r.csat.escalated.rate), `${r.csat.escalated.numerator}/${r.csat.escalated.denominator}`],
        ['CSAT not escalated', pct(r.csat.notEscalated.rate), `${r.csat.notEscalated.numerator}/${r.csat.notEscalated.denominator}`],
        ...Object.entries(r.slaCompliance).map(([m, s]) => [`SLA ${m}`, pct(s.rate), `${s.numerator}/${s.denominator}`]),
      ],
    ),
  );
  for (const [title, groups] of [
    ['Levels', r.levels],
    ['Teams', r.teams],
  ] as const) {
    out.push('', title);
    out.push(
      table(
        ['', 'in', 'held median', 'held p90', 'breach', 're-escalation'],
        groups.map((g) => [g.key, String(g.volumeIn), formatDuration(g.timeHeldMs.median), formatDuration(g.timeHeldMs.p90), pct(g.breachRate.rate), pct(g.reEscalationRate.rate)]),
      ),
    );
  }
  out.push('', 'Agents (first responder)');
  out.push(
    table(
      ['agent', 'handled', 'escalated', 'first response median', 'SLA met', 'CSAT'],
      r.agents.map((a) => [a.email ?? a.key, String(a.handled), String(a.escalated), formatDuration(a.timeToFirstResponseMs.median), `${pct(a.slaMet.rate)} (${a.slaMet.numerator}/${a.slaMet.denominator})`, `${pct(a.csat.rate)} (${a.csat.numerator}/${a.csat.denominator})`]),
    ),
  );
  out.push('', 'Causes', table(['reason', 'escalations'], r.causes.byReason.map((c) => [c.reason, String(c.count)])));
  out.push('', table(['rule', 'escalations'], r.causes.byRule.map((c) => [c.rule, String(c.count)])));
  out.push('', table(['root cause (reviews)', 'tickets'], r.causes.byRootCause.map((c) => [c.rootCause, String(c.count)])));
  out.push('', 'Bottlenecks');
  for (const [title, list] of [
    ['level', r.bottlenecks.byLevel],
    ['status', r.bottlenecks.byStatus],
  ] as const) {
    out.push(table([title, 'total', 'mean per ticket', 'share'], list.map((t) => [t.key, formatDuration(t.totalMs), formatDuration(t.meanMs), pct(t.share)])), '');
  }
  const items = r.bottlenecks.checklistItems ?? [];
  if (items.length > 0) {
    out.push(table(['checklist item (attach → tick)', 'required', 'done', 'median', 'p90'], items.map((i) => [`${i.key} ${i.text}`, i.required ? 'yes' : '', `${i.done}/${i.attached}`, formatDuration(i.medianMs), formatDuration(i.p90Ms)])), '');
  }
  out.push('Trend by week', table(['week of', 'created', 'escalated', 'rate', 'solved'], r.trends.week.map((t) => [t.bucket, String(t.created), String(t.escalated), pct(t.escalationRate), String(t.solved)])));
  return out.join('\n') + '\n';
}
