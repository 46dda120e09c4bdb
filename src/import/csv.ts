/**
 * CSV records with the line each starts on, read by the `csv-parse` streaming parser (node-csv
 * project): RFC 4180 quoting (`""` for a quote inside a quoted field, line breaks allowed inside
 * quotes), LF or CRLF line ends, empty lines skipped, a UTF-8 byte-order mark dropped. Field
 * counts are not checked here: the caller knows its header and says what is wrong in its words.
 *
 * Line numbers are counted here, not taken from csv-parse: its `info` costs an object per record
 * (it doubled the time of a 88,000-row import) and counts a CRLF inside a quoted field as two
 * lines. A record takes one line plus the line breaks inside its fields; csv-parse gives an
 * empty line as a record of one empty field, which is counted and dropped. Records are handled
 * synchronously as csv-parse emits them, so the count is exact when an error comes.
 */
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

export interface CsvRecord {
  /** 1-based line number of the record's first character in the file. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Our words for csv-parse's syntax errors (its own messages name its options and its line count). */
function describe(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed before the end of the file';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'unexpected text after a closing quote (write "" for a quote inside a quoted field)';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (quote the whole field and write "" for a quote inside it)';
    default:
      return `bad CSV: ${error.message.replace(/ (at|on) line \d+/, '')}`;
  }
}

/**
 * Reads CSV from `source` (bytes or text), calling `onRecord` with each record in file order.
 * Resolves at the end of the input; rejects with a `CsvSyntaxError` (at the first line of the
 * record it is in) on bad CSV, with the source's own error if it fails, or with what `onRecord`
 * threw — reading stops there.
 */
export function readCsv(source: Readable, onRecord: (record: CsvRecord) => void): Promise<void> {
  const parser = parse({ bom: true, relax_column_count: true, record_delimiter: ['\r\n', '\n'] });
  /** Where the next record starts. */
  let next = 1;
  return new Promise((resolve, reject) => {
    let done = false;
    const stop = (err?: unknown): void => {
      if (done) return;
      done = true;
      source.unpipe(parser);
      parser.destroy();
      if (err === undefined) resolve();
      else {
        source.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    parser.on('data', (fields: string[]) => {
      if (done) return;
      const line = next++;
      for (const field of fields) if (field.includes('\n')) next += newlines(field);
      if (fields.length === 1 && fields[0] === '') return;
      try {
        onRecord({ line, fields });
      } catch (err) {
        stop(err);
      }
    });
    parser.on('end', () => stop());
    parser.on('error', (err) =>
      stop(err instanceof CsvError ? new CsvSyntaxError(describe(err), next) : err),
    );
    source.on('error', (err) => stop(err));
    source.pipe(parser);
  });
}
