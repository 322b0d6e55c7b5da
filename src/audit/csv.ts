/**
 * CSV for the auditors' exports, written for Excel as configured in Paraguay (es-PY: list
 * separator ";", decimal comma), which is what opens these files:
 * - UTF-8 with a byte-order mark, or Excel reads "Región" as "RegiÃ³n";
 * - ";" between cells and CRLF between rows; cells quoted (RFC 4180) when they hold ";", a quote
 *   or a line break;
 * - text cells that a spreadsheet would run as a formula (starting with "=", "+", "-", "@", a tab
 *   or a carriage return: OWASP's list) get a leading apostrophe, which Excel shows as text;
 * - numbers with a decimal comma ("45,5"), no thousands separator, so Excel reads them as numbers.
 */

export const CSV_BOM = '\uFEFF';
export const CSV_DELIMITER = ';';
export const CSV_NEWLINE = '\r\n';

/** One cell before encoding: text (from anyone: neutralised), a number, a date, or nothing. */
export type CsvCell = string | number | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** Text that a spreadsheet will show as typed, never evaluate. */
export const neutralise = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);

function quote(text: string): string {
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One encoded cell. Dates are written as ISO 8601 instants (UTC, unambiguous). */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value).replace('.', ',') : '';
  if (value instanceof Date) return value.toISOString();
  return quote(neutralise(value));
}

/** One row, with its line ending. */
export const csvLine = (cells: readonly CsvCell[]): string =>
  cells.map(csvCell).join(CSV_DELIMITER) + CSV_NEWLINE;

/** A whole (small) table, BOM first: for exports built in memory, such as aggregates. */
export const csvDocument = (rows: readonly (readonly CsvCell[])[]): string =>
  CSV_BOM + rows.map(csvLine).join('');

/** Headers of a CSV download; `filename` is ours (ASCII, no quotes). */
export const csvHeaders = (filename: string): Record<string, string> => ({
  'Content-Type': 'text/csv; charset=utf-8',
  'Content-Disposition': `attachment; filename="${filename}"`,
});
