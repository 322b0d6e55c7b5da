import { ESTABLISHMENT_CODE_PATTERN, regionCode } from './codes';
import { ESTABLISHMENT_NAME_MAX, REGION_NAME_MAX } from './commands/schema';
import { headerKey, readCsvTable, type CsvRow } from './csv-table';

/** An establishment already in the database, as the import compares it. */
export interface ExistingEstablishment {
  code: string;
  name: string;
  regionName: string;
  active: boolean;
}

/** One valid row of the file and what applying the plan would do with it. */
export interface PlannedRow {
  line: number;
  code: string;
  name: string;
  region: string;
  action: 'create' | 'update' | 'unchanged';
  /** In Spanish, for the preview: 'nombre: "A" → "B"', 'región: "X" → "Y"', 'reactivado'. */
  changes: string[];
}

/** What an import would do, shown as a preview before anything is written. */
export interface ImportPlan {
  rows: PlannedRow[];
  errors: { line: number; message: string }[];
  counts: { create: number; update: number; unchanged: number };
}

/** The ministry's list has ~934 rows; these limits keep a wrong file from tying up a server. */
export const MAX_IMPORT_ROWS = 5000;
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

type Column = 'code' | 'name' | 'region';
/** Accepted header names, compared after `headerKey` (no case, no accents). */
const COLUMNS: Record<Column, { label: string; names: string[] }> = {
  code: { label: 'código', names: ['code', 'codigo'] },
  name: { label: 'nombre', names: ['name', 'nombre'] },
  region: { label: 'región', names: ['region', 'region sanitaria'] },
};

const clean = (value: string | undefined) => (value ?? '').trim().replace(/\s+/g, ' ');

const emptyPlan = (line: number, message: string): ImportPlan => ({
  rows: [],
  errors: [{ line, message }],
  counts: { create: 0, update: 0, unchanged: 0 },
});

/**
 * Plans the import of the ministry's establishment CSV (columns código, nombre, región in any
 * order, extra columns ignored) against the establishments already stored. Pure: reads and writes
 * nothing. Rows are matched by code: a new code is created; a known one is updated when its
 * name, región or inactive state differ (an inactive establishment in the file is reactivated),
 * so importing the same file twice changes nothing. Establishments missing from the file are left
 * alone, never deactivated: the file may be a partial list (one región, or a file split to fit the
 * limits). Errors carry the physical line of the file (header = line 1).
 */
export function planEstablishmentImport(
  csvText: string,
  existing: ExistingEstablishment[],
): ImportPlan {
  if (Buffer.byteLength(csvText, 'utf8') > MAX_IMPORT_BYTES) {
    return emptyPlan(1, 'El archivo supera el máximo de 2 MB.');
  }
  const table = readCsvTable(csvText);
  if (!table.ok) return emptyPlan(table.line, table.message);
  if (table.rows.length > MAX_IMPORT_ROWS) {
    return emptyPlan(
      table.rows[MAX_IMPORT_ROWS]?.line ?? 1,
      `El archivo tiene ${table.rows.length} filas; el máximo es ${MAX_IMPORT_ROWS}. Divídalo en varios archivos.`,
    );
  }
  const keys = table.header.cells.map(headerKey);
  const index = {} as Record<Column, number>;
  const missing: string[] = [];
  for (const column of Object.keys(COLUMNS) as Column[]) {
    const { label, names } = COLUMNS[column];
    index[column] = keys.findIndex((key) => names.includes(key));
    if (index[column] < 0) missing.push(`"${label}"`);
  }
  if (missing.length > 0) {
    const which = missing.length === 1 ? 'Falta la columna' : 'Faltan las columnas';
    return emptyPlan(table.header.line, `${which} ${missing.join(', ')} en el encabezado.`);
  }

  const byCode = new Map(existing.map((e) => [e.code.trim().toUpperCase(), e]));
  const firstLineOf = new Map<string, number>();
  const plan: ImportPlan = { rows: [], errors: [], counts: { create: 0, update: 0, unchanged: 0 } };
  for (const row of table.rows) {
    const planned = planRow(row, index, byCode, firstLineOf, plan.errors);
    if (!planned) continue;
    plan.rows.push(planned);
    plan.counts[planned.action]++;
  }
  return plan;
}

function planRow(
  { line, cells }: CsvRow,
  index: Record<Column, number>,
  byCode: Map<string, ExistingEstablishment>,
  firstLineOf: Map<string, number>,
  errors: ImportPlan['errors'],
): PlannedRow | null {
  const rawCode = clean(cells[index.code]);
  const code = rawCode.toUpperCase();
  const name = clean(cells[index.name]);
  const region = clean(cells[index.region]);
  const before = errors.length;
  const fail = (message: string) => errors.push({ line, message });
  if (!ESTABLISHMENT_CODE_PATTERN.test(code)) {
    fail(
      code === ''
        ? 'Falta el código del establecimiento.'
        : `Código de establecimiento inválido "${rawCode}": use letras, números, punto o guion (hasta 32).`,
    );
  } else if (firstLineOf.has(code)) {
    fail(`El código ${code} está repetido: ya aparece en la línea ${firstLineOf.get(code)}.`);
  } else {
    firstLineOf.set(code, line);
  }
  const label = code || `de la línea ${line}`;
  // The same limits as the forms (src/domain/establishments/commands/schema.ts).
  if (name.length < 3)
    fail(`El nombre del establecimiento ${label} es obligatorio (al menos 3 caracteres).`);
  else if (name.length > ESTABLISHMENT_NAME_MAX)
    fail(
      `El nombre del establecimiento ${label} tiene ${name.length} caracteres; el máximo es ${ESTABLISHMENT_NAME_MAX}.`,
    );
  if (region.length < 2 || regionCode(region) === '') {
    fail(`La región del establecimiento ${label} es obligatoria.`);
  } else if (region.length > REGION_NAME_MAX) {
    fail(
      `La región del establecimiento ${label} tiene ${region.length} caracteres; el máximo es ${REGION_NAME_MAX}.`,
    );
  }
  if (errors.length > before) return null;

  const current = byCode.get(code);
  if (!current) return { line, code, name, region, action: 'create', changes: [] };
  const changes: string[] = [];
  const currentName = clean(current.name);
  if (currentName !== name) changes.push(`nombre: "${currentName}" → "${name}"`);
  if (regionCode(current.regionName) !== regionCode(region)) {
    changes.push(`región: "${current.regionName}" → "${region}"`);
  }
  if (!current.active) changes.push('reactivado');
  return { line, code, name, region, action: changes.length ? 'update' : 'unchanged', changes };
}

/** True when the plan may be applied: all or nothing, so a single error blocks the whole file. */
export const isApplicable = (plan: ImportPlan): boolean => plan.errors.length === 0;
