/**
 * The one parser of Paraguayan cédulas: to store one (the creation and profile forms, the CLI,
 * the imports) and, with {@link lenientCedula}, to find one (the users search, the audit filters,
 * the e-ID providers' claims), so that what is stored is always found.
 *
 * Accepted: digits alone ("1234567") or grouped by thousands with dots or spaces as people write
 * them ("1.234.567", "1 234 567"); full-width digits count as digits (Unicode NFKC). Refused: any
 * other character (a sign, a trailing dot, letters), a group of the wrong size, a leading zero
 * (no cédula starts with 0: "0007800003" would silently become another number), fewer than 3 or
 * more than 10 digits. The result is the digits, as stored.
 */
export function normalizeCedula(input: string): string | null {
  const text = input.normalize('NFKC').trim();
  if (!/^(\d+|\d{1,3}(\.\d{3})+|\d{1,3}( \d{3})+)$/.test(text)) return null;
  const digits = text.replace(/\D/g, '');
  return /^[1-9]\d{2,9}$/.test(digits) ? digits : null;
}

/**
 * A cédula read to find one, not to store one: what a person types in a search box or a filter
 * ("01234567", "123-456789", "123456.789") and what a provider's claim carries. Any mix of
 * digits with dots, spaces or dashes; leading zeros dropped; the same 3 to 10 digits.
 */
export function lenientCedula(input: string): string | null {
  const text = input.normalize('NFKC').trim();
  if (!/^[\d.\s-]+$/.test(text)) return null;
  const digits = text.replace(/\D/g, '').replace(/^0+/, '');
  return /^[1-9]\d{2,9}$/.test(digits) ? digits : null;
}

/** What a form says beside a cédula {@link normalizeCedula} refused. */
export const CEDULA_MESSAGE =
  'Cédula inválida: escriba solo los números, con o sin puntos de miles (por ejemplo 1.234.567), sin ceros al inicio.';

const GROUPED = new Intl.NumberFormat('es-PY', { useGrouping: true });

/** "1234567" → "1.234.567", as cédulas are printed in Paraguay. */
export function formatCedula(digits: string): string {
  return GROUPED.format(Number(digits));
}
