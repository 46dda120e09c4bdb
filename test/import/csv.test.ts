import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, readCsv, type CsvRecord } from '../../src/import/csv.ts';

/** The records of `chunks` (text or bytes); rejects as readCsv does. */
async function read(chunks: (string | Buffer)[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  await readCsv(Readable.from(chunks), (r) => records.push(r));
  return records;
}

describe('readCsv (csv-parse, with line numbers)', () => {
  it('parses quoting, CRLF and line breaks inside quotes across any chunk split', async () => {
    const text = 'a,"b ""quoted"", c","multi\nline"\r\nx,,z\n';
    for (let split = 0; split <= text.length; split++) {
      expect(await read([text.slice(0, split), text.slice(split)])).toEqual([
        { line: 1, fields: ['a', 'b "quoted", c', 'multi\nline'] },
        { line: 3, fields: ['x', '', 'z'] },
      ]);
    }
  });

  it('counts lines as line feeds: empty lines, CRLF inside quotes, a last line without its end', async () => {
    const text = '\n\nh1,h2\r\nINC1,"a\r\nb\r\nc"\r\n\r\n\nINC2,"x\ny"\nINC3,z';
    expect(await read([text])).toEqual([
      { line: 3, fields: ['h1', 'h2'] },
      { line: 4, fields: ['INC1', 'a\r\nb\r\nc'] },
      { line: 9, fields: ['INC2', 'x\ny'] },
      { line: 11, fields: ['INC3', 'z'] },
    ]);
  });

  it('reads bytes, with a UTF-8 character split between chunks and a byte-order mark dropped', async () => {
    const bytes = Buffer.from('\uFEFFnumber,name\nINC1,Zoë\n', 'utf8');
    const at = bytes.indexOf(Buffer.from('ë', 'utf8')) + 1;
    expect(await read([bytes.subarray(0, at), bytes.subarray(at)])).toEqual([
      { line: 1, fields: ['number', 'name'] },
      { line: 2, fields: ['INC1', 'Zoë'] },
    ]);
  });

  it('keeps rows of another width for the caller to judge', async () => {
    expect(await read(['a,b\nc\nd,e,f\n'])).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c'] },
      { line: 3, fields: ['d', 'e', 'f'] },
    ]);
  });

  const bad: [string, string, number, RegExp][] = [
    [
      'an unclosed quote (at the record it opened in)',
      'a,b\nc,"d\ne\nf\n',
      2,
      /quoted field is not closed before the end/,
    ],
    [
      'text after a closing quote',
      'a,b\n"multi\nline",x\nc,"d"e\n',
      4,
      /unexpected text after a closing quote/,
    ],
    ['a quote in a bare field', 'a,b\nc,d"e\n', 2, /a quote inside an unquoted field/],
  ];
  it.each(bad)('refuses %s with the line', async (_name, text, line, message) => {
    const error = await read([text]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(line);
    expect((error as Error).message).toMatch(message);
  });

  it('stops at what the record handler throws, and at an error of the source', async () => {
    let seen = 0;
    const thrown = await readCsv(Readable.from(['a\nb\nc\n']), (r) => {
      seen++;
      if (r.line === 2) throw new Error('stop here');
    }).catch((e: unknown) => e);
    expect((thrown as Error).message).toBe('stop here');
    expect(seen).toBe(2);

    async function* failing(): AsyncGenerator<string> {
      yield 'a,b\n';
      throw new Error('disk gone');
    }
    await expect(readCsv(Readable.from(failing()), () => undefined)).rejects.toThrow('disk gone');
  });
});
