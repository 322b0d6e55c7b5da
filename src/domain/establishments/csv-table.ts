import { parse, type CsvError } from 'csv-parse/sync';

/** One CSV record and the physical line (1-based) where it starts in the uploaded file. */
export interface CsvRow {
  line: number;
  cells: string[];
}

/** A parsed CSV file: its header row and data rows, or the one reason it cannot be read. */
export type CsvTable =
  { ok: true; header: CsvRow; rows: CsvRow[] } | { ok: false; line: number; message: string };

/**
 * Picks `;` or `,` from the header line: Excel in a Spanish locale writes `;` because `,` is the
 * decimal separator there. Delimiters inside quotes do not count.
 */
export function detectDelimiter(headerLine: string): ',' | ';' {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === ';') semicolons++;
    else if (!quoted && char === ',') commas++;
  }
  return semicolons > commas ? ';' : ',';
}

/** Header key for matching column names: "Región Sanitaria" → "region sanitaria". */
export const headerKey = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .trim();

/** Spanish reason for a csv-parse error; `after` is the last line read without trouble. */
const csvProblem = (code: string, after: number) =>
  ({
    // csv-parse reports the last line of the file here; the open quote is in the next record.
    CSV_QUOTE_NOT_CLOSED: `hay comillas sin cerrar después de la línea ${after}`,
    INVALID_OPENING_QUOTE: 'hay comillas dentro de un campo sin comillas',
    CSV_INVALID_CLOSING_QUOTE: 'hay texto después de unas comillas de cierre',
  })[code] ?? 'no se pudo leer';

/**
 * Reads CSV text (UTF-8 with or without BOM, CRLF or LF) into rows. Blank lines and rows whose
 * cells are all empty (Excel writes `;;` for them) are skipped, yet every row keeps the number of
 * the physical line where it starts, so messages point at the line an administrator sees.
 */
export function readCsvTable(csvText: string): CsvTable {
  // csv-parse counts the CR and the LF of a CRLF inside a quoted field as two lines: with LF
  // only, its line counter matches the physical lines.
  const text = csvText.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  // A file saved by Excel as "CSV" (Windows-1252) and read as UTF-8 turns "Ñ" into U+FFFD;
  // a NUL byte is never text (PostgreSQL could not store it either).
  const nul = lines.findIndex((line) => line.includes('\u0000'));
  if (nul >= 0) {
    return {
      ok: false,
      line: nul + 1,
      message: 'El archivo tiene caracteres no válidos (un byte nulo): no es un CSV de texto.',
    };
  }
  const garbled = lines.findIndex((line) => line.includes('\uFFFD'));
  if (garbled >= 0) {
    return {
      ok: false,
      line: garbled + 1,
      message: 'El archivo no está en UTF-8: guárdelo desde Excel como «CSV UTF-8».',
    };
  }
  const firstLine = lines.find((line) => line.trim() !== '') ?? '';
  let records: { record: string[]; info: { lines: number } }[];
  let lastGoodLine = 0;
  try {
    // csv-parse's types do not model `info: true`, which wraps each record as { record, info }.
    records = parse(text, {
      delimiter: detectDelimiter(firstLine),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      on_record: (record, context) => {
        lastGoodLine = context.lines;
        return record;
      },
    }) as unknown as typeof records;
  } catch (error) {
    const { code, lines } = error as CsvError & { lines?: number };
    return {
      ok: false,
      line: typeof lines === 'number' ? lines : 1,
      message: `El archivo CSV está mal formado: ${csvProblem(code, lastGoodLine)}.`,
    };
  }
  // `info.lines` is the line where a record ends; a quoted field spanning lines started earlier.
  const rows = records.map(({ record, info }) => ({
    line: info.lines - record.reduce((sum, cell) => sum + cell.split('\n').length - 1, 0),
    cells: record,
  }));
  const [header, ...data] = rows;
  if (!header) return { ok: false, line: 1, message: 'El archivo está vacío.' };
  return { ok: true, header, rows: data };
}
