/**
 * `escalon import servicenow FILE [--out OUT.jsonl] [--made-sla OUT.json] [--strict]`: turn the ServiceNow
 * incident event log into a workload for `escalon simulate` (the contract (docs/contract.md) §6). The workload goes to
 * --out or standard output; the summary goes to standard error.
 */
import type { Command } from 'commander';
import { ImportError, formatSummary, importServiceNow } from '../import/servicenow.ts';

interface ServiceNowFlags {
  out?: string;
  madeSla?: string;
  strict?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('import')
    .description('convert data from other systems into Escalon formats');
  command
    .command('servicenow')
    .description(
      'convert the ServiceNow incident event log (CSV, optionally gzipped) into a simulation workload (JSONL)',
    )
    .argument('<file>', 'the event log, e.g. examples/data/servicenow-incidents-train.csv.gz')
    .option('-o, --out <file>', 'write the workload here instead of standard output')
    .option(
      '--made-sla <file>',
      "also write the log's own SLA outcome per ticket as JSON ({ ticket: made_sla })",
    )
    .option(
      '--strict',
      'stop at the first row with a value the importer does not know (default: skip such rows, count them in the summary)',
    )
    .action(async (file: string, flags: ServiceNowFlags) => {
      try {
        const conversion = await importServiceNow({
          input: file,
          out: flags.out,
          madeSla: flags.madeSla,
          strict: flags.strict === true,
        });
        process.stderr.write(formatSummary(conversion) + '\n');
      } catch (err) {
        if (!(err instanceof ImportError)) throw err;
        process.stderr.write(`escalon import servicenow: ${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
