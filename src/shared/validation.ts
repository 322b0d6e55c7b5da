import { z } from 'zod';
import { CEDULA_MESSAGE, normalizeCedula } from './cedula';
import { AppError } from './errors';

/** Per-field Spanish messages of a refused form; the form shows each beside its field. */
export class ValidationError extends AppError {
  constructor(readonly fields: Record<string, string>) {
    super('invalid_input', 400, Object.values(fields)[0] ?? 'Revise los datos del formulario.');
  }
}

/** Parses input with a zod schema whose messages are Spanish; throws a {@link ValidationError}. */
/**
 * A NUL (PostgreSQL text cannot hold one) or U+FFFD (what a browser's or a decoder's invalid
 * UTF-8 became): never a person's text. Refused beside its field, never stored half-mended.
 */
// eslint-disable-next-line no-control-regex -- the NUL is what it looks for
const UNREADABLE = /[\u0000\uFFFD]/;
export const UNREADABLE_MESSAGE =
  'Este dato tiene caracteres no válidos (por ejemplo, pegados desde otro programa). Escríbalo de nuevo.';

/** The form's text fields holding a character no person types (see {@link UNREADABLE}). */
function unreadableFields(input: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!input || typeof input !== 'object') return fields;
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'string' && UNREADABLE.test(v)))
      fields[name] = UNREADABLE_MESSAGE;
  }
  return fields;
}

export function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const unreadable = unreadableFields(input);
  if (Object.keys(unreadable).length) throw new ValidationError(unreadable);
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '_form');
    fields[name] ??= issue.message;
  }
  throw new ValidationError(fields);
}

/** A conflict with a concurrent change (optimistic concurrency). */
export const conflict = (message: string) => new AppError('conflict', 409, message);

/** A cédula field: the digits, or {@link CEDULA_MESSAGE} beside the field (src/shared/cedula.ts). */
export const cedulaField = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .transform((value, ctx) => normalizeCedula(value) ?? (ctx.addIssue(CEDULA_MESSAGE), z.NEVER));

/** The largest id PostgreSQL's `integer` holds: a larger one is refused like a malformed one. */
export const MAX_ID = 2_147_483_647;

/** A row id from a form, a hidden field or a filter: a positive integer PostgreSQL can hold. */
export const idField = (message: string) =>
  z.coerce
    .number({ error: message })
    .int({ error: message })
    .positive({ error: message })
    .max(MAX_ID, { error: message });

/** A row id from a URL segment or query value, or null when it is not one (the route answers 404). */
export function idParam(value: unknown): number | null {
  const id = typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : 0;
  return id > 0 && id <= MAX_ID ? id : null;
}
