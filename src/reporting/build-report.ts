/** The one entry point the API and the CLI share: parameters in, report out. */
import type { Kysely } from 'kysely';
import type { KpiReport } from '../domain/reporting/kpis.ts';
import type { Database } from '../store/schema.ts';
import { parseReportParams, type ReportParams } from './report-params.ts';
import { kpisFromRollups, kpisNaive } from './report-queries.ts';

export interface ReportDefaults {
  timeZone?: string;
  firstLevel?: string;
  /** `naive` recomputes from the raw events (slow; for checks and the benchmark). */
  engine?: 'rollups' | 'naive';
}

export function buildReport(db: Kysely<Database>, params: ReportParams, now: number, defaults: ReportDefaults = {}): Promise<KpiReport> {
  const q = parseReportParams(params, now, defaults);
  return defaults.engine === 'naive' ? kpisNaive(db, q) : kpisFromRollups(db, q);
}
