/**
 * `escalon report [--from D] [--to D] [--tz ZONE] [--team T] [--level L] [--priority P]
 * [--tier T] [--channel C] [--section kpis|trends|causes|bottlenecks|agents] [--format table|json|csv]`:
 * the KPIs of the contract (docs/contract.md) §7 from the configured database (ESCALON_DATABASE_URL), through the
 * same code and renderings as GET /api/v1/reports/*. `--rebuild-rollups` recomputes the
 * reporting rollups from the event log first; `--naive` computes from the raw events instead
 * of the rollups (a cross-check).
 */
import type { Command } from 'commander';
import { buildReport } from '../reporting/build-report.ts';
import { reportCsv, reportJson, reportTable, type ReportSection } from '../reporting/report-format.ts';
import { rebuildRollups } from '../reporting/rollups.ts';
import { fail, loadConfigOrExit, withStore } from './runtime.ts';

interface ReportOptions {
  from?: string;
  to?: string;
  tz?: string;
  asOf?: string;
  team?: string;
  level?: string;
  priority?: string;
  tier?: string;
  channel?: string;
  firstLevel?: string;
  section: string;
  format: string;
  naive?: boolean;
  rebuildRollups?: boolean;
}

const FORMATS = ['table', 'json', 'csv'];
const SECTIONS = ['kpis', 'trends', 'causes', 'bottlenecks', 'agents'];

export function register(program: Command): void {
  program
    .command('report')
    .description('escalation KPIs for a period (the contract (docs/contract.md) §7): rates, times, SLA compliance, CSAT, levels and teams, causes, bottlenecks, trends')
    .option('--from <date>', 'first day YYYY-MM-DD (local in --tz) or an ISO instant; default 30 days before --to')
    .option('--to <date>', 'last day YYYY-MM-DD (inclusive) or an ISO instant (exclusive); default today')
    .option('--tz <zone>', 'IANA time zone for days and weeks', 'UTC')
    .option('--as-of <instant>', 'instant open intervals run to (default now)')
    .option('--team <team>', 'only tickets that were with this team')
    .option('--level <level>', 'only tickets that were at this level')
    .option('--priority <priority>', 'only tickets of this priority (low, normal, high, urgent)')
    .option('--tier <tier>', "only tickets of organizations of this tier")
    .option('--channel <channel>', 'only tickets from this channel')
    .option('--first-level <level>', 'the frontline level for first-contact resolution', 'L1')
    .option('--section <section>', `${SECTIONS.join(' | ')} (json and csv)`, 'kpis')
    .option('--format <format>', FORMATS.join(' | '), 'table')
    .option('--naive', 'compute from the raw event log instead of the rollups (slow; a cross-check)')
    .option('--rebuild-rollups', 'recompute the reporting rollups from the event log first')
    .action(async (o: ReportOptions) => {
      if (!FORMATS.includes(o.format)) fail({ code: 'VALIDATION_FAILED', message: `--format ${o.format}: use one of ${FORMATS.join(', ')}` });
      if (!SECTIONS.includes(o.section)) fail({ code: 'VALIDATION_FAILED', message: `--section ${o.section}: use one of ${SECTIONS.join(', ')}` });
      const config = loadConfigOrExit();
      try {
        const out = await withStore(config, async (store) => {
          if (o.rebuildRollups) {
            const n = await rebuildRollups(store.db, { onProgress: (done) => process.stderr.write(`\rrebuilt rollups of ${done} tickets`) });
            process.stderr.write(`\rrebuilt rollups of ${n} tickets\n`);
          }
          const report = await buildReport(
            store.db,
            { from: o.from, to: o.to, tz: o.tz, asOf: o.asOf, team: o.team, level: o.level, priority: o.priority, tier: o.tier, channel: o.channel, firstLevel: o.firstLevel },
            Date.now(),
            { engine: o.naive ? 'naive' : 'rollups' },
          );
          const section = o.section as ReportSection;
          if (o.format === 'json') return `${JSON.stringify(reportJson(report, section), null, 2)}\n`;
          if (o.format === 'csv') return reportCsv(report, section);
          return reportTable(report);
        });
        process.stdout.write(out);
      } catch (err) {
        fail(err);
      }
    });
}
