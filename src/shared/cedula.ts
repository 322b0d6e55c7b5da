/**
 * Normalises a Paraguayan cédula: keeps digits only ("1.234.567" → "1234567").
 * Returns null when the result is not a plausible document number.
 */
export function normalizeCedula(input: string): string | null {
  const trimmed = input.trim();
  if (!/^[\d.\s-]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '').replace(/^0+/, '');
  return /^\d{3,10}$/.test(digits) ? digits : null;
}

const GROUPED = new Intl.NumberFormat('es-PY', { useGrouping: true });

/** "1234567" → "1.234.567", as cédulas are printed in Paraguay. */
export function formatCedula(digits: string): string {
  return GROUPED.format(Number(digits));
}
