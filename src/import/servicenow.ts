/**
 * `escalon import servicenow`: read the ServiceNow incident event log (CSV, gzipped or not),
 * convert it (servicenow-convert.ts) and write the workload as JSON lines.
 *
 * The whole log is read before anything is written: the output must be sorted by `at` across
 * tickets and the log is ordered by incident. 88,221 rows fit easily in memory.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { fileProblem } from '../file-problem.ts';
import { CsvSyntaxError, readCsvBatches, type CsvRecord } from './csv-records.ts';
import {
  STATE_MAP,
  convertServiceNow,
  type Conversion,
  type IncidentRow,
  type WorkloadLine,
  type WorkloadPriority,
} from './servicenow-convert.ts';

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

const REQUIRED_COLUMNS = [
  'number',
  'incident_state',
  'made_sla',
  'caller_id',
  'opened_at',
  'sys_updated_at',
  'contact_type',
  'location',
  'category',
  'subcategory',
  'u_symptom',
  'cmdb_ci',
  'impact',
  'urgency',
  'priority',
  'assignment_group',
  'assigned_to',
] as const;
type Column = (typeof REQUIRED_COLUMNS)[number];

const PRIORITY_BY_DIGIT: Record<string, WorkloadPriority> = {
  '1': 'urgent',
  '2': 'high',
  '3': 'normal',
  '4': 'low',
};
const DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** `d/m/Y H:M[:S]`, read as UTC, to epoch ms; undefined if malformed or not a real date. */
export function parseLogInstant(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = Date.UTC(Number(m[3]), month - 1, day, hour, minute, second);
  const d = new Date(ms);
  const valid =
    d.getUTCDate() === day && d.getUTCMonth() === month - 1 && hour < 24 && minute < 60 && second < 60;
  return valid ? ms : undefined;
}

/** The columns the importer reads, checked against a header once; then rows are read by index. */
export class RowReader {
  private readonly columns: Record<Column, number>;
  private readonly width: number;

  constructor(
    header: CsvRecord,
    private readonly where: string,
  ) {
    const index = new Map(header.fields.map((name, i) => [name.trim(), i]));
    const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
    if (missing.length > 0) {
      throw new ImportError(
        `${where}:${header.line}: the header lacks the column(s) ${missing.join(', ')}; ` +
          'is this the ServiceNow incident event log (see examples/data/README.md)?',
      );
    }
    this.columns = Object.fromEntries(REQUIRED_COLUMNS.map((c) => [c, index.get(c) ?? -1])) as Record<
      Column,
      number
    >;
    this.width = header.fields.length;
  }

  read(record: CsvRecord): IncidentRow {
    if (record.fields.length !== this.width) {
      this.fail(record, `expected ${this.width} fields as in the header, found ${record.fields.length}`);
    }
    const number = this.opt(record, 'number') ?? this.fail(record, 'number (the incident id) is empty');
    const state = this.raw(record, 'incident_state');
    if (!Object.hasOwn(STATE_MAP, state)) {
      this.fail(
        record,
        `incident_state ${JSON.stringify(state)} is not one of ${Object.keys(STATE_MAP).join(', ')}`,
      );
    }
    const priorityText = this.raw(record, 'priority');
    const priority =
      (Object.hasOwn(PRIORITY_BY_DIGIT, priorityText.charAt(0)) ? PRIORITY_BY_DIGIT[priorityText.charAt(0)] : undefined) ??
      this.fail(record, `priority ${JSON.stringify(priorityText)} does not start with 1, 2, 3 or 4`);
    const madeSla = this.raw(record, 'made_sla');
    if (madeSla !== 'true' && madeSla !== 'false') {
      this.fail(record, `made_sla ${JSON.stringify(madeSla)} is not true or false`);
    }
    return {
      line: record.line,
      number,
      state,
      priority,
      updatedAt: this.instant(record, 'sys_updated_at'),
      openedAt: this.instant(record, 'opened_at'),
      assignedTo: this.opt(record, 'assigned_to'),
      assignmentGroup: this.opt(record, 'assignment_group'),
      location: this.opt(record, 'location'),
      category: this.opt(record, 'category'),
      subcategory: this.opt(record, 'subcategory'),
      symptom: this.opt(record, 'u_symptom'),
      configurationItem: this.opt(record, 'cmdb_ci'),
      contactType: this.opt(record, 'contact_type'),
      caller: this.opt(record, 'caller_id'),
      impact: this.opt(record, 'impact'),
      urgency: this.opt(record, 'urgency'),
      madeSla: madeSla === 'true',
    };
  }

  private fail(record: CsvRecord, what: string): never {
    throw new ImportError(`${this.where}:${record.line}: ${what}`);
  }

  private raw(record: CsvRecord, column: Column): string {
    return (record.fields[this.columns[column]] ?? '').trim();
  }

  /** The value, or undefined where the log writes `?` (or nothing). */
  private opt(record: CsvRecord, column: Column): string | undefined {
    const value = this.raw(record, column);
    return value === '' || value === '?' ? undefined : value;
  }

  private instant(record: CsvRecord, column: Column): number {
    const text = this.raw(record, column);
    return (
      parseLogInstant(text) ??
      this.fail(record, `${column} ${JSON.stringify(text)} is not a date written d/m/Y H:M`)
    );
  }
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Read and convert the log in `file` (gzip detected by its magic bytes). */
export async function readServiceNowLog(file: string): Promise<Conversion> {
  let gz: boolean;
  try {
    gz = await isGzip(file);
  } catch (err) {
    throw new ImportError(`cannot read ${file}: ${fileProblem(err)}`);
  }
  const source = createReadStream(file);
  const text = gz ? source.pipe(createGunzip()) : source;
  text.setEncoding('utf8');
  source.on('error', (err) => text.destroy(err));

  const rows: IncidentRow[] = [];
  let reader: RowReader | undefined;
  try {
    for await (const batch of readCsvBatches(text as AsyncIterable<string>)) {
      for (const record of batch) {
        if (reader === undefined) reader = new RowReader(record, file);
        else rows.push(reader.read(record));
      }
    }
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new ImportError(`${file}:${err.line}: ${err.message}`);
    if (err instanceof ImportError) throw err;
    throw new ImportError(`cannot read ${file}${gz ? ' (gzip)' : ''}: ${(err as Error).message}`);
  } finally {
    text.destroy();
  }
  if (reader === undefined) throw new ImportError(`${file} is empty: expected a CSV header and rows`);
  return convertServiceNow(rows);
}

/** Write the lines as JSONL to `target`, honouring back-pressure. */
export async function writeWorkload(lines: readonly WorkloadLine[], target: Writable): Promise<void> {
  const BATCH = 1000;
  async function* chunks(): AsyncGenerator<string> {
    for (let i = 0; i < lines.length; i += BATCH) {
      yield lines
        .slice(i, i + BATCH)
        .map((l) => JSON.stringify(l) + '\n')
        .join('');
    }
  }
  await pipeline(Readable.from(chunks()), target, { end: target !== process.stdout });
}

export interface ImportOptions {
  input: string;
  /** JSONL output file; standard output when absent. */
  out?: string;
  /** Where to write `{ ticket: made_sla }` as JSON, if wanted. */
  madeSla?: string;
}

export async function importServiceNow(options: ImportOptions): Promise<Conversion> {
  const conversion = await readServiceNowLog(options.input);
  const outName = options.out ?? 'standard output';
  try {
    const target = options.out === undefined ? process.stdout : createWriteStream(options.out);
    await writeWorkload(conversion.lines, target);
  } catch (err) {
    // A reader that stops early (`| head`) is not an error of ours.
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') {
      throw new ImportError(`cannot write ${outName}: ${fileProblem(err)}`);
    }
  }
  if (options.madeSla !== undefined) {
    try {
      await writeFile(options.madeSla, JSON.stringify(conversion.madeSla, null, 1) + '\n');
    } catch (err) {
      throw new ImportError(`cannot write ${options.madeSla}: ${fileProblem(err)}`);
    }
  }
  return conversion;
}

/** The summary printed on standard error. */
export function formatSummary(conversion: Conversion): string {
  const { stats } = conversion;
  const written = Object.values(stats.lines).reduce((a, b) => a + b, 0);
  const slaMet = Object.values(conversion.madeSla).filter(Boolean).length;
  const total = Object.keys(conversion.madeSla).length;
  const list = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    `incidents: ${stats.incidents} (rows read: ${stats.rows})`,
    `lines written: ${written} (${list(stats.lines)})`,
    `rows skipped: ${Object.values(stats.skippedRows).reduce((a, b) => a + b, 0)} (${list(stats.skippedRows)})`,
    `changes the workload format cannot carry, ignored: ${list(stats.ignoredChanges)}`,
    `log's own made_sla: ${slaMet} of ${total} incidents met their SLA (${total === 0 ? 0 : ((100 * slaMet) / total).toFixed(1)}%)`,
  ].join('\n');
}
