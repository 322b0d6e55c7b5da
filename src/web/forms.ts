import type { Response } from 'express';
import { ValidationError } from '../shared/validation';
import { AppError } from '../shared/errors';

/**
 * Runs a command for a form: on a {@link ValidationError} (400) or a conflict (409) the same form
 * is rendered again with the per-field messages and the values typed, instead of an error page.
 * Anything else propagates to the error middleware. `locals` may be a function: the page is then
 * built only when it is shown again, after the failed attempt (so it shows what is current).
 */
export async function submitForm<T>(
  res: Response,
  view: string,
  locals: Record<string, unknown> | (() => Promise<Record<string, unknown>>),
  /** What the fields show again; a function gets the per-field errors (keep only valid ones). */
  values: Record<string, unknown> | ((errors: Record<string, string>) => Record<string, unknown>),
  run: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  const page = async () => (typeof locals === 'function' ? await locals() : locals);
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    if (err instanceof ValidationError) {
      const shown = typeof values === 'function' ? values(err.fields) : values;
      res.status(400).render(view, { ...(await page()), values: shown, errors: err.fields });
      return { ok: false };
    }
    if (err instanceof AppError && err.status === 409) {
      const current = await page();
      res.status(409).render(view, {
        ...current,
        values: typeof values === 'function' ? values({}) : values,
        errors: {},
        formError: err.publicMessage,
      });
      return { ok: false };
    }
    throw err;
  }
}
