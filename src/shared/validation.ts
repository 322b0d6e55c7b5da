import type { z } from 'zod';
import { AppError } from './errors';

/** Per-field Spanish messages of a refused form; the form shows each beside its field. */
export class ValidationError extends AppError {
  constructor(readonly fields: Record<string, string>) {
    super('invalid_input', 400, Object.values(fields)[0] ?? 'Revise los datos del formulario.');
  }
}

/** Parses input with a zod schema whose messages are Spanish; throws a {@link ValidationError}. */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
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
