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
import { CsvSyntaxError, readCsv, type CsvRecord } from './csv.ts';
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

/**
 * A row the importer cannot read because a value is not one it knows: skipped (and counted)
 * unless the import is strict. `cause` groups such rows in the summary (the column and, for a
 * closed set of values, the value); `message` says what is wrong in full.
 */
export interface UnknownValue {
  line: number;
  cause: string;
  message: string;
}

export type ReadRow = { ok: true; row: IncidentRow } | ({ ok: false } & UnknownValue);

class Unknown {
  constructor(
    readonly cause: string,
    readonly message: string,
  ) {}
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

  /**
   * The row, or the first value in it the importer does not know. A row with another number of
   * fields than the header is not a row of this log: an ImportError.
   */
  read(record: CsvRecord): ReadRow {
    if (record.fields.length !== this.width) {
      throw new ImportError(
        `${this.where}:${record.line}: expected ${this.width} fields as in the header, found ${record.fields.length}`,
      );
    }
    try {
      return { ok: true, row: this.row(record) };
    } catch (err) {
      if (!(err instanceof Unknown)) throw err;
      return { ok: false, line: record.line, cause: err.cause, message: err.message };
    }
  }

  private row(record: CsvRecord): IncidentRow {
    const number = this.opt(record, 'number') ?? this.unknown('number empty', 'number (the incident id) is empty');
    const state = this.raw(record, 'incident_state');
    if (!Object.hasOwn(STATE_MAP, state)) {
      this.unknown(
        `incident_state ${JSON.stringify(state)}`,
        `incident_state ${JSON.stringify(state)} is not one of ${Object.keys(STATE_MAP).join(', ')}`,
      );
    }
    const priorityText = this.raw(record, 'priority');
    const digit = priorityText.charAt(0);
    const priority =
      (Object.hasOwn(PRIORITY_BY_DIGIT, digit) ? PRIORITY_BY_DIGIT[digit] : undefined) ??
      this.unknown(
        `priority ${JSON.stringify(priorityText)}`,
        `priority ${JSON.stringify(priorityText)} does not start with 1, 2, 3 or 4`,
      );
    const madeSla = this.raw(record, 'made_sla');
    if (madeSla !== 'true' && madeSla !== 'false') {
      this.unknown(`made_sla ${JSON.stringify(madeSla)}`, `made_sla ${JSON.stringify(madeSla)} is not true or false`);
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

  private unknown(cause: string, message: string): never {
    throw new Unknown(cause, message);
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
      this.unknown(
        `${column} not a date`,
        `${column} ${JSON.stringify(text)} is not a date written d/m/Y H:M`,
      )
    );
  }
}

/** How many lines of each cause the summary names. */
export const LINES_SHOWN = 5;

export interface UnknownCause {
  cause: string;
  count: number;
  /** The first LINES_SHOWN lines, in file order. */
  lines: number[];
}

/** Rows skipped for a value the importer does not know, by cause (in order of first appearance). */
export interface UnknownValueStats {
  rows: number;
  causes: UnknownCause[];
}

export interface ImportResult extends Conversion {
  unknownValues: UnknownValueStats;
}

export interface ReadOptions {
  /** Stop at the first row with an unknown value (an ImportError naming file and line). */
  strict?: boolean;
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

/**
 * Read and convert the log in `file` (gzip detected by its magic bytes). A row with a value the
 * importer does not know is skipped and counted (`unknownValues`), or with `strict` ends the
 * import; a structural problem (header, field count, CSV syntax, unreadable file) always does.
 */
export async function readServiceNowLog(file: string, options: ReadOptions = {}): Promise<ImportResult> {
  let gz: boolean;
  try {
    gz = await isGzip(file);
  } catch (err) {
    throw new ImportError(`cannot read ${file}: ${fileProblem(err)}`);
  }
  const source = createReadStream(file);
  const bytes = gz ? source.pipe(createGunzip()) : source;
  if (gz) source.on('error', (err) => bytes.destroy(err));

  const rows: IncidentRow[] = [];
  const unknownValues: UnknownValueStats = { rows: 0, causes: [] };
  const byCause = new Map<string, UnknownCause>();
  let reader: RowReader | undefined;
  const take = (record: CsvRecord): void => {
    if (reader === undefined) {
      reader = new RowReader(record, file);
      return;
    }
    const read = reader.read(record);
    if (read.ok) {
      rows.push(read.row);
      return;
    }
    if (options.strict) throw new ImportError(`${file}:${read.line}: ${read.message}`);
    unknownValues.rows++;
    let cause = byCause.get(read.cause);
    if (cause === undefined) {
      cause = { cause: read.cause, count: 0, lines: [] };
      byCause.set(read.cause, cause);
      unknownValues.causes.push(cause);
    }
    cause.count++;
    if (cause.lines.length < LINES_SHOWN) cause.lines.push(read.line);
  };
  try {
    await readCsv(bytes, take);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new ImportError(`${file}:${err.line}: ${err.message}`);
    if (err instanceof ImportError) throw err;
    throw new ImportError(`cannot read ${file}${gz ? ' (gzip)' : ''}: ${(err as Error).message}`);
  } finally {
    bytes.destroy();
    source.destroy();
  }
  if (reader === undefined) throw new ImportError(`${file} is empty: expected a CSV header and rows`);
  return { ...convertServiceNow(rows), unknownValues };
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
  /** Stop at the first row with an unknown value instead of skipping it. */
  strict?: boolean;
}

export async function importServiceNow(options: ImportOptions): Promise<ImportResult> {
  const conversion = await readServiceNowLog(options.input, { strict: options.strict });
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

function formatUnknown(unknown: UnknownValueStats): string {
  if (unknown.rows === 0) return 'rows with unknown values, skipped: 0';
  const causes = unknown.causes.map(({ cause, count, lines }) => {
    const more = count > lines.length ? ` and ${count - lines.length} more` : '';
    return `${cause}: ${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')}${more}`;
  });
  return `rows with unknown values, skipped: ${unknown.rows} (${causes.join('; ')})`;
}

/** The summary printed on standard error. */
export function formatSummary(result: ImportResult): string {
  const { stats, unknownValues } = result;
  const groups = stats.groupChanges;
  const written = Object.values(stats.lines).reduce((a, b) => a + b, 0);
  const slaMet = Object.values(result.madeSla).filter(Boolean).length;
  const total = Object.keys(result.madeSla).length;
  const list = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    `incidents: ${stats.incidents} (rows read: ${stats.rows + unknownValues.rows})`,
    formatUnknown(unknownValues),
    `lines written: ${written} (${list(stats.lines)})`,
    `rows skipped: ${Object.values(stats.skippedRows).reduce((a, b) => a + b, 0)} (${list(stats.skippedRows)})`,
    `assignment-group changes carried (ticket.assigned with group): ${groups.withAssignee + groups.alone} (${groups.withAssignee} with a new assignee, ${groups.alone} alone)`,
    `changes the workload format cannot carry, ignored: ${list(stats.ignoredChanges)}`,
    `log's own made_sla: ${slaMet} of ${total} incidents met their SLA (${total === 0 ? 0 : ((100 * slaMet) / total).toFixed(1)}%)`,
  ].join('\n');
}
