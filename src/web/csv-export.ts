import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import dayjs from 'dayjs';
import { stringify } from 'csv-stringify';
import { ZONE } from '../shared/time';
import { serviceUnavailable } from '../shared/errors';
import { openCursor, type Cursor, type ExportPool } from '../storage/cursor';

/** One column of an export: its Spanish header and how a row fills it. */
export interface CsvColumn<Row> {
  header: string;
  value(row: Row): string | number | null;
}

/**
 * The spreadsheet-safe CSV of the audit exports (csv-stringify does the quoting):
 * - UTF-8 with a BOM, so Excel reads "Región" and "ñ" right. No `sep=` line: Excel ignores the
 *   BOM after one.
 * - `;` between fields: the list separator of Excel in Spanish (es-PY) locales, where `,` is the
 *   decimal mark; an Excel there splits a `,` file into nothing. LibreOffice asks on opening.
 * - RFC 4180 otherwise: CRLF between records; fields holding `;`, `"`, CR or LF are quoted, with
 *   `"` doubled, so a user agent with a newline stays one cell.
 * - Formulas neutralised: a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`
 *   (csv-stringify's `escape_formulas`), so `=HYPERLINK(…)` typed as a username is shown as
 *   text, never evaluated.
 * - Safe whatever separator the reader assumes: a spreadsheet in another locale splits at `,`
 *   (or a tab), where our quotes do not start a field. So inside a cell, a separator followed by
 *   a formula character (or a quote and one) gets a `'` after it ({@link csvCell}): a username
 *   `x,=1+2,y` reads `x,'=1+2,y`, and no cell of any split starts a formula. Fields holding `,`
 *   or `;` are quoted too.
 */
export const CSV_OPTIONS = {
  bom: true,
  delimiter: ';',
  record_delimiter: 'windows',
  quote_record_delimiter: true,
  quoted_match: /[,;]/,
  escape_formulas: true,
} as const;

const SPLIT_THEN_FORMULA = /([,;\t])(?=["']?[=+\-@\t\r])/g;

/** A cell's text, neutralised for readers that split it at another separator (see above). */
export const csvCell = (value: string | number | null): string | number =>
  typeof value === 'string' ? value.replace(SPLIT_THEN_FORMULA, "$1'") : (value ?? '');

/**
 * Built once. dayjs's tz() builds an Intl formatter on every call (0.3–0.8 ms here): on the
 * date column of a million-row export that was seven of every eight seconds and 90 MB more RSS
 * (bench/audit-history.ts). The parts are assembled by name, whatever the locale's pattern.
 */
const ASUNCION_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** "2026-11-20 09:12:00", Asunción time: sortable, and Excel reads it as a date. */
export function csvDateTime(date: Date): string {
  const p: Record<string, string> = {};
  for (const { type, value } of ASUNCION_PARTS.formatToParts(date)) p[type] = value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** "20261120": the date in export file names. */
export const fileDate = (date: Date): string => dayjs(date).tz(ZONE).format('YYYYMMDD');

export interface ExportResult {
  /** Rows handed to the response (the client may have received fewer if it went away). */
  rows: number;
  /** Whether the whole result was written and the response ended normally. */
  complete: boolean;
}

/**
 * Streams a query's rows as CSV into `out` (the HTTP response): a pg cursor (pg-query-stream)
 * read in batches only as fast as the client takes them (`pipeline` propagates back-pressure,
 * so memory stays constant whatever the row count), each row mapped to cells. `begin` runs once
 * the connection is acquired, before the first byte (set the headers there): a pool that is
 * busy or down becomes the usual 503 page instead of a broken download. `end` runs after the
 * last row and before the response ends (record the export there: a download that completes is
 * already on record). A client that goes away or a query that fails midway ends with
 * `complete: false` and the count so far (`end` still called) and a cut connection, so that a
 * partial file never looks whole; a failure before the first byte is thrown for the error page.
 */
export async function streamCsv<Raw, Row>(opts: {
  pool: ExportPool;
  sql: { text: string; values: unknown[] };
  toRow(raw: Raw): Row;
  columns: CsvColumn<Row>[];
  out: Writable & { headersSent?: boolean };
  begin(): void;
  end?(result: ExportResult): Promise<void>;
}): Promise<ExportResult> {
  let cursor: Cursor;
  try {
    cursor = await openCursor(opts.pool, opts.sql);
  } catch (err) {
    throw serviceUnavailable('export_unavailable', err);
  }
  let rows = 0;
  let broken: Error | undefined;
  try {
    opts.begin();
    const toCells = new Transform({
      objectMode: true,
      transform(raw: Raw, _enc, done) {
        const row = opts.toRow(raw);
        rows += 1;
        done(
          null,
          opts.columns.map((c) => csvCell(c.value(row))),
        );
      },
    });
    const csv = stringify({
      ...CSV_OPTIONS,
      header: true,
      columns: opts.columns.map((c) => c.header),
    });
    await pipeline(cursor.rows, toCells, csv, opts.out, { end: false });
  } catch (err) {
    broken = err as Error;
  } finally {
    broken ??= cursor.failure();
    // A connection whose cursor was cut off mid-result is not reused.
    cursor.close(broken);
  }
  const result = { rows, complete: !broken };
  await opts.end?.(result);
  if (!broken) opts.out.end();
  // Nothing sent yet (the query failed at once): the error page can still say so.
  else if (opts.out.headersSent === false) throw broken;
  else opts.out.destroy();
  return result;
}
