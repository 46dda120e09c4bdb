/**
 * A streaming CSV reader (RFC 4180): comma-separated fields, optionally double-quoted, `""` for
 * a quote inside a quoted field, line breaks (LF or CRLF) allowed inside quotes. It yields one
 * record at a time with the line number it started on, so errors can point at the file.
 *
 * Physical lines are split off the stream; a line with an odd number of quotes opens a quoted
 * field that goes on on the next line, so lines are joined until the count is even. A record
 * without any quote is split on commas directly (most of a real log); only records with quotes
 * go through the character-level parser.
 */
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

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}

/**
 * Split one record that contains quotes. States: `start` of a field, `bare` (unquoted; a stray
 * quote there is kept as text), `quoted`, and `quote` (just saw a quote inside quotes: another
 * quote is a literal one, a comma ends the field, anything else is an error).
 */
function splitQuoted(text: string, line: number): string[] {
  const fields: string[] = [];
  let state: 'start' | 'bare' | 'quoted' | 'quote' = 'start';
  let field = '';
  let at = line;
  for (const ch of text) {
    if (state === 'quoted') {
      if (ch === '"') state = 'quote';
      else {
        if (ch === '\n') at++;
        field += ch;
      }
    } else if (state === 'quote' && ch === '"') {
      field += '"';
      state = 'quoted';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      state = 'start';
    } else if (state === 'quote') {
      throw new CsvSyntaxError(
        `unexpected ${JSON.stringify(ch)} after a closing quote (write "" for a quote inside a quoted field)`,
        at,
      );
    } else if (state === 'start' && ch === '"') {
      state = 'quoted';
    } else {
      field += ch;
      state = 'bare';
    }
  }
  fields.push(field);
  return fields;
}

/**
 * A push parser: feed it chunks of text (any split, e.g. straight from a decoding stream), get
 * back the records they complete. Synchronous, so a big file costs no promise per record. Empty
 * lines are skipped. An unterminated quoted field at the end of input is an error.
 */
export class CsvParser {
  private buffer = '';
  private line = 0;
  /** A record whose quoted field spans lines, while it is incomplete. */
  private pending: string | undefined;
  private pendingLine = 0;
  private pendingQuotes = 0;

  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const buffer = this.buffer + chunk;
    let from = 0;
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n', from)) {
      this.take(buffer.slice(from, nl), out);
      from = nl + 1;
    }
    this.buffer = buffer.slice(from);
    return out;
  }

  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.buffer !== '') this.take(this.buffer, out);
    this.buffer = '';
    if (this.pending !== undefined) {
      throw new CsvSyntaxError('a quoted field is not closed before the end of the file', this.pendingLine);
    }
    return out;
  }

  private take(physical: string, out: CsvRecord[]): void {
    this.line++;
    const quotes = countQuotes(physical);
    if (this.pending === undefined) {
      this.pending = physical;
      this.pendingLine = this.line;
      this.pendingQuotes = quotes;
    } else {
      this.pending += '\n' + physical;
      this.pendingQuotes += quotes;
    }
    if (this.pendingQuotes % 2 === 1) return;
    const text = this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending;
    this.pending = undefined;
    if (text === '') return;
    const start = this.pendingLine;
    out.push({ line: start, fields: this.pendingQuotes > 0 ? splitQuoted(text, start) : text.split(',') });
  }
}

/** Records from an async source of text chunks, batch by batch. */
export async function* readCsvBatches(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser();
  for await (const chunk of chunks) {
    const records = parser.push(chunk);
    if (records.length > 0) yield records;
  }
  const last = parser.end();
  if (last.length > 0) yield last;
}

/** Records from an async source of text chunks, one at a time. */
export async function* readCsvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsvBatches(chunks)) yield* batch;
}
