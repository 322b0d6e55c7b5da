import type { Response } from 'express';
import { ValidationError } from '../shared/validation';
import { AppError } from '../shared/errors';

/**
 * Runs a command for a form: on a {@link ValidationError} (400) or a conflict (409) the same form
 * is rendered again with the per-field messages and the values typed, instead of an error page.
 * Anything else propagates to the error middleware.
 */
export async function submitForm<T>(
  res: Response,
  view: string,
  locals: Record<string, unknown>,
  values: Record<string, unknown>,
  run: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    if (err instanceof ValidationError) {
      res.status(400).render(view, { ...locals, values, errors: err.fields });
      return { ok: false };
    }
    if (err instanceof AppError && err.status === 409) {
      res.status(409).render(view, { ...locals, values, errors: {}, formError: err.publicMessage });
      return { ok: false };
    }
    throw err;
  }
}
