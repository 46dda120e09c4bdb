/** The one entry point the API and the CLI share: parameters in, report out. */
import type { Kysely } from 'kysely';
import type { KpiReport } from '../domain/reporting/kpis.ts';
import type { Database } from '../store/schema.ts';
import { checklistItemFigures } from './checklist-times.ts';
import { parseReportParams, type ReportParams } from './report-params.ts';
import { kpisFromRollups, kpisNaive } from './report-queries.ts';

export interface ReportDefaults {
  timeZone?: string;
  firstLevel?: string;
  /** `naive` recomputes from the raw events (slow; for checks and the benchmark). */
  engine?: 'rollups' | 'naive';
}

export async function buildReport(db: Kysely<Database>, params: ReportParams, now: number, defaults: ReportDefaults = {}): Promise<KpiReport> {
  const q = parseReportParams(params, now, defaults);
  const report = defaults.engine === 'naive' ? await kpisNaive(db, q) : await kpisFromRollups(db, q);
  const checklistItems = await checklistItemFigures(db, q);
  return withAgentNames(db, { ...report, bottlenecks: { ...report.bottlenecks, checklistItems } });
}

/** Names the agents of the per-agent figures (`user:<id>` → the user's name and email). */
async function withAgentNames(db: Kysely<Database>, report: KpiReport): Promise<KpiReport> {
  const ids = report.agents.filter((a) => a.key.startsWith('user:')).map((a) => a.key.slice(5));
  if (ids.length === 0) return report;
  const users = new Map<string, { name: string; email: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const u of rows) users.set(u.id, { name: u.name, email: u.email });
  }
  return { ...report, agents: report.agents.map((a) => ({ ...a, ...(users.get(a.key.slice(5)) ?? {}) })) };
}
