/**
 * One CSV cell, safe to open in a spreadsheet (issue 12; OWASP "CSV Injection"). A text that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula, so it
 * gets a leading single quote (`'=1+2`) and is quoted; a text with a quote, comma or line
 * break is quoted, quotes doubled (RFC 4180).
 *
 * Numbers that Escalon computes (counts, durations, percentages, -3 included) are written as
 * numbers: they are passed here as JavaScript numbers and never come from a user, and a
 * spreadsheet must be able to sum them. Every string is neutralised, whatever it looks like,
 * so a team called "-1" or a tag "=cmd()" is text in the spreadsheet.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  const neutral = FORMULA_START.test(value) ? `'${value}` : value;
  return neutral !== value || /[",\n\r]/.test(neutral) ? `"${neutral.replace(/"/g, '""')}"` : neutral;
}

/** Rows of cells as CSV text, one line each (LF), ending with a newline. */
export function csvLines(
  rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>,
): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
