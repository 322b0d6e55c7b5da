/**
 * The page number a "Siguiente página" link carries (for the heading only: the keyset cursor
 * decides the rows). Anything else than a small whole number reads as 1.
 */
export function pageNumberOf(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return n >= 1 ? n : 1;
}
