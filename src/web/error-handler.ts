import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, notFound, serviceUnavailable } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { isRedisUnavailable } from '../redis/unavailable';
import { isDatabaseUnavailable } from '../db/unavailable';
import { bodyErrorToAppError } from './body-errors';
import { errorPage } from './error-page';

/** Unavailable-service errors known only by name (Sequelize's are in src/db/unavailable.ts). */
const UNAVAILABLE_NAMES = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'SocketClosedUnexpectedlyError',
  'ConnectionTimeoutError',
  'TimeoutError',
]);

/** Maps any thrown value to the one error type, so every failure has a code and Spanish text. */
export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; code?: string; original?: { code?: string } } | null;
  if (e?.code === 'csrf_invalid') {
    return new AppError(
      'csrf_invalid',
      403,
      'El formulario expiró o no es válido. Vuelva a la página anterior, recárguela e intente de nuevo.',
    );
  }
  const refusedBody = bodyErrorToAppError(err);
  if (refusedBody) return refusedBody;
  // PostgreSQL down, hung, saturated or locked: src/db/unavailable.ts.
  if (
    (e?.name && UNAVAILABLE_NAMES.has(e.name)) ||
    isDatabaseUnavailable(err) ||
    isRedisUnavailable(err)
  ) {
    return serviceUnavailable('service_unavailable', err);
  }
  return null;
}

/**
 * Requests refused for what the client sent (size, type, charset, encoding, malformed body): worth
 * a `warn` line to spot a misbehaving client or a probe, never an `error`.
 */
const LOGGED_REFUSALS = new Set([400, 413, 415]);

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

/**
 * The one error middleware: known errors render their Spanish message; anything else is logged
 * with a support id and shown as a generic page, never a stack trace. A refused body is logged at
 * `warn` with named fields only: the error object itself carries the raw body (body-parser's
 * `err.body`, password included), so it is never passed to the logger.
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toAppError(err);
    const supportId = randomUUID().slice(0, 8);
    const status = known?.status ?? 500;
    if (!known || status >= 500) {
      logger.error({ err, supportId, path: req.path, method: req.method }, 'request failed');
    } else if (LOGGED_REFUSALS.has(status)) {
      logger.warn(
        { status, errorCode: known.code, supportId, path: req.path, method: req.method },
        'request refused',
      );
    }
    if (res.headersSent) return;
    res.status(status);
    if (status === 503) res.set('Retry-After', '30');
    const message =
      known?.publicMessage ??
      'Ocurrió un error inesperado. Si el problema continúa, comuníquese con la mesa de ayuda.';
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: known?.code ?? 'internal_error', message, supportId });
      return;
    }
    const page = errorPage(req.originalUrl.split('?')[0]!, status, known?.code, res.locals.actor);
    res.render('error', {
      title: 'Error',
      status,
      heading: page.heading,
      message: page.message ?? message,
      back: page.back,
      supportId: known && status < 500 && !LOGGED_REFUSALS.has(status) ? null : supportId,
    });
  };
}
