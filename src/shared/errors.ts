/**
 * The one error type of the application: a stable code (logged and audited, never renamed),
 * an HTTP status, and a Spanish message that is safe to show.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly publicMessage: string,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = 'AppError';
  }
}

/** A dependency (PostgreSQL, Redis, the e-ID provider) did not answer in time or at all. */
export const serviceUnavailable = (code: string, cause?: unknown) =>
  new AppError(
    code,
    503,
    'El servicio no está disponible en este momento. Intente nuevamente en unos minutos.',
    { cause },
  );

export const forbidden = () =>
  new AppError('forbidden', 403, 'No tiene permiso para ver esta página.');

export const notFound = () => new AppError('not_found', 404, 'La página solicitada no existe.');
