/** Spanish numbers as people read them: "1.234" (es-PY groups thousands with a dot). */
const NUMBER = new Intl.NumberFormat('es-PY');

export const numberText = (n: number): string => NUMBER.format(n);

/**
 * "1 ingreso", "0 ingresos", "1.234 ingresos": a count with its noun in the right number.
 * `many` defaults to `one` + "s" (give it for "acción" → "acciones", "nuevo" → "nuevos").
 */
export const countText = (n: number, one: string, many = `${one}s`): string =>
  `${numberText(n)} ${n === 1 ? one : many}`;
