/** Plain-text tables for list commands (`--json` prints the rows as JSON instead). */

export type Row = Record<string, string | number | boolean | null | readonly string[]>;

/** Columns padded to their widest cell; null (and an empty list) prints as "-", a list as a,b. An empty list of rows prints the `empty` line. */
export function formatTable(rows: readonly Row[], columns: readonly string[], empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  const cell = (v: Row[string] | undefined): string => (v === null || v === undefined || (Array.isArray(v) && v.length === 0) ? '-' : Array.isArray(v) ? v.join(',') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]): string => cells.map((s, i) => (i === cells.length - 1 ? s : s.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

export function printRows(rows: readonly Row[], columns: readonly string[], opts: { json?: boolean; empty: string }): void {
  process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows, columns, opts.empty));
}
