import type { EstablishmentRecord } from '../../storage/establishments';

/** What the establishments list filters by; every field optional. */
export interface EstablishmentFilters {
  /** Part of the code or the name, without regard to case or accents. */
  q?: string;
  regionId?: number;
  active?: boolean;
}

/** "Ñeembucú" → "neembucu": what searches compare. */
export const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Filters the establishments in memory (the whole network is about 934 rows, already sorted by
 * name): every word of `q` must appear in the code or the name ("hosp luque" finds "Hospital
 * Distrital de Luque").
 */
export function filterEstablishments<E extends EstablishmentRecord>(
  all: E[],
  filters: EstablishmentFilters,
): E[] {
  const words = fold(filters.q ?? '')
    .split(' ')
    .filter(Boolean);
  return all.filter((e) => {
    if (filters.regionId !== undefined && e.regionId !== filters.regionId) return false;
    if (filters.active !== undefined && e.active !== filters.active) return false;
    if (!words.length) return true;
    const haystack = `${fold(e.code)} ${fold(e.name)}`;
    return words.every((w) => haystack.includes(w));
  });
}
