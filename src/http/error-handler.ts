import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, notFound, serviceUnavailable } from '../shared/errors';
import type { Logger } from '../shared/logger';

const UNAVAILABLE_NAMES = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeConnectionTimedOutError',
  'SequelizeHostNotFoundError',
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
  if (
    (e?.name && UNAVAILABLE_NAMES.has(e.name)) ||
    e?.original?.code === '57014' /* statement_timeout */
  ) {
    return serviceUnavailable('service_unavailable', err);
  }
  return null;
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

/**
 * The one error middleware: known errors render their Spanish message; anything else is logged
 * with a support id and shown as a generic page, never a stack trace.
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toAppError(err);
    const supportId = randomUUID().slice(0, 8);
    const status = known?.status ?? 500;
    if (!known || status >= 500) {
      logger.error({ err, supportId, path: req.path, method: req.method }, 'request failed');
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
    res.render('error', {
      title: 'Error',
      status,
      message,
      supportId: known && status < 500 ? null : supportId,
    });
  };
}
