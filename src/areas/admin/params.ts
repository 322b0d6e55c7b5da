/** A positive integer route parameter, or null (the route then answers 404). */
export function idParam(value: unknown): number | null {
  const id = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : 0;
  return id > 0 ? id : null;
}
