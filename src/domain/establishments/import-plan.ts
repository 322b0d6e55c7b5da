import { ESTABLISHMENT_CODE_PATTERN, regionCode } from './codes';
import { ESTABLISHMENT_NAME_MAX, REGION_NAME_MAX } from './commands/schema';
import { headerKey, readCsvTable, type CsvRow } from './csv-table';
import { countText, numberText } from '../../shared/words';

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
  /** The row's región does not exist yet: applying would create it. */
  newRegion: boolean;
}

/**
 * A región the file names that does not exist: created only if the admin confirms it (a typo,
 * "Centrall", must not silently become a región of its own).
 */
export interface NewRegion {
  name: string;
  /** The lines that name it. */
  lines: number[];
  /** The existing región it most resembles, when one is close: "¿Quiso decir «Central»?" */
  suggestion: string | null;
}

/** What an import would do, shown as a preview before anything is written. */
export interface ImportPlan {
  rows: PlannedRow[];
  errors: { line: number; message: string }[];
  counts: { create: number; update: number; unchanged: number };
  newRegions: NewRegion[];
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
  newRegions: [],
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
  /** Every región's name (also those without establishments). */
  knownRegions: string[] = [],
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
  const regions = new Map(
    [...knownRegions, ...existing.map((e) => e.regionName)].map((name) => [regionCode(name), name]),
  );
  const firstLineOf = new Map<string, number>();
  const plan: ImportPlan = {
    rows: [],
    errors: [],
    counts: { create: 0, update: 0, unchanged: 0 },
    newRegions: [],
  };
  const fresh = new Map<string, NewRegion>();
  for (const row of table.rows) {
    const planned = planRow(row, index, byCode, firstLineOf, plan.errors);
    if (!planned) continue;
    const code = regionCode(planned.region);
    if (!regions.has(code)) {
      planned.newRegion = true;
      const known = fresh.get(code);
      if (known) known.lines.push(planned.line);
      else
        fresh.set(code, {
          name: planned.region,
          lines: [planned.line],
          suggestion: closest(code, regions),
        });
    }
    plan.rows.push(planned);
    plan.counts[planned.action]++;
  }
  plan.newRegions = [...fresh.values()];
  return plan;
}

/** The existing región whose code is within two edits of `code`, if any (the nearest). */
function closest(code: string, regions: Map<string, string>): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const [known, name] of regions) {
    const distance = editDistance(code, known);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

/** Levenshtein distance (a typo is one or two of these), for short región codes. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}

/** The new regiones of the plan that `confirmed` (names as typed in the file) does not name. */
export function unconfirmedRegions(plan: ImportPlan, confirmed: readonly string[]): NewRegion[] {
  const yes = new Set(confirmed.map(regionCode));
  return plan.newRegions.filter((r) => !yes.has(regionCode(r.name)));
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
  if (!current)
    return { line, code, name, region, action: 'create', changes: [], newRegion: false };
  const changes: string[] = [];
  const currentName = clean(current.name);
  if (currentName !== name) changes.push(`nombre: "${currentName}" → "${name}"`);
  if (regionCode(current.regionName) !== regionCode(region)) {
    changes.push(`región: "${current.regionName}" → "${region}"`);
  }
  if (!current.active) changes.push('reactivado');
  return {
    line,
    code,
    name,
    region,
    action: changes.length ? 'update' : 'unchanged',
    changes,
    newRegion: false,
  };
}

/** True when the plan may be applied: all or nothing, so a single error blocks the whole file. */
export const isApplicable = (plan: ImportPlan): boolean => plan.errors.length === 0;

/** "3 nuevos, 1 actualizado, 930 sin cambios": the counts of a plan, in the right number. */
export const importCountsText = ({ create, update, unchanged }: ImportPlan['counts']): string =>
  `${countText(create, 'nuevo')}, ${countText(update, 'actualizado')}, ${numberText(unchanged)} sin cambios`;

/** "Sin cambios: los 2 establecimientos del archivo ya estaban al día." (or the one). */
export const nothingChangedText = (unchanged: number): string =>
  unchanged === 1
    ? 'Sin cambios: el establecimiento del archivo ya estaba al día.'
    : `Sin cambios: los ${numberText(unchanged)} establecimientos del archivo ya estaban al día.`;
