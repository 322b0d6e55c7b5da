import type { AdoptionDashboard } from './dashboard';
import type { AdoptionRow, AdoptionUnit } from './figures';
/** One CSV cell before encoding: text, a count, or nothing. */
export type Cell = string | number | null;

/** "45,5": percentages with the decimal comma, which Excel in es-PY reads as a number. */
const pct = (value: number | null): string | null =>
  value === null ? null : String(value).replace('.', ',');

/** The badge-state table of the CSV: the total, then regiones, then establishments. */
export function adoptionStateRows(d: AdoptionDashboard, staleAfterMonths: number): Cell[][] {
  const header = [
    'Nivel',
    'Región sanitaria',
    'Código',
    'Establecimiento',
    'Usuarios activos',
    'Verificada',
    'Verificada (%)',
    `Más de ${staleAfterMonths} meses`,
    `Más de ${staleAfterMonths} meses (%)`,
    'Nunca',
    'Nunca (%)',
    'Sin verificar (%)',
  ];
  const figures = (row: AdoptionRow<AdoptionUnit>): Cell[] => [
    row.total,
    row.unit.counts.verified,
    pct(row.shares?.verified ?? null),
    row.unit.counts.stale,
    pct(row.shares?.stale ?? null),
    row.unit.counts.never,
    pct(row.shares?.never ?? null),
    pct(row.behind),
  ];
  return [
    header,
    ['Total', '', '', '', ...figures(d.total)],
    ...d.regions.map((r) => ['Región', r.unit.name, '', '', ...figures(r)]),
    ...d.establishments.map((e) => [
      'Establecimiento',
      e.unit.regionName,
      e.unit.code,
      e.unit.name,
      ...figures(e),
    ]),
  ];
}

/** The trend table of the CSV: one row per month, oldest first. */
export function adoptionTrendRows(d: AdoptionDashboard, staleAfterMonths: number): Cell[][] {
  return [
    [
      'Mes',
      `Usuarios con Identidad Electrónica verificada al cierre (ingreso en los ${staleAfterMonths} meses previos)`,
      'Usuarios activos (hoy)',
      'Verificada (%)',
      'Mes en curso',
    ],
    ...d.trend.map((p) => [
      p.month,
      p.verified,
      p.population,
      pct(p.share),
      p.partial ? 'Sí' : 'No',
    ]),
  ];
}
