import { AppError } from '../shared/errors';
import { unsupportedMediaType } from './body-limits';

const TOO_LARGE =
  'El formulario enviado es demasiado grande. Vuelva a la página anterior e intente de nuevo.';
const UNREADABLE =
  'No se pudo leer el formulario enviado. Vuelva a la página anterior e intente de nuevo.';

/**
 * body-parser's (and raw-body's) error types, each to the one error type with a Spanish message.
 * The types are body-parser's documented, stable contract; the codes on the right are ours.
 */
const BY_TYPE: Record<string, () => AppError> = {
  'entity.too.large': () => new AppError('body_too_large', 413, TOO_LARGE),
  'parameters.too.many': () =>
    new AppError(
      'too_many_fields',
      413,
      'El formulario enviado tiene demasiados campos. Vuelva a la página anterior e intente de nuevo.',
    ),
  'charset.unsupported': () =>
    new AppError(
      'unsupported_charset',
      415,
      'El formulario se envió con una codificación de caracteres que esta aplicación no acepta (use UTF-8).',
    ),
  'encoding.unsupported': () =>
    new AppError(
      'unsupported_content_encoding',
      415,
      'El formulario se envió comprimido en un formato que esta aplicación no acepta.',
    ),
  'entity.parse.failed': () => new AppError('malformed_body', 400, UNREADABLE),
  'entity.verify.failed': () => new AppError('malformed_body', 400, UNREADABLE),
  'querystring.parse.rangeError': () => new AppError('malformed_body', 400, UNREADABLE),
  'request.size.invalid': () => new AppError('malformed_body', 400, UNREADABLE),
  'request.aborted': () => new AppError('request_aborted', 400, UNREADABLE),
};

interface HttpErrorLike {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  errno?: unknown;
  code?: unknown;
}

/**
 * A request that could not be read as a form, as the client's fault: body-parser's typed errors,
 * a bad gzip/deflate/brotli stream (zlib's error, which body-parser passes on as a 400 without a
 * type), and any other http-errors 4xx an Express part raises (express.static's 400, 412, 416…).
 * The original error is not kept as the cause: body-parser attaches the raw body to it.
 * Returns null for everything else.
 */
export function bodyErrorToAppError(err: unknown): AppError | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as HttpErrorLike;
  const byType =
    typeof e.type === 'string' && Object.hasOwn(BY_TYPE, e.type) ? BY_TYPE[e.type] : undefined;
  if (byType) return byType();
  const status = typeof e.status === 'number' ? e.status : null;
  if (status === null || status < 400 || status > 499 || e.expose !== true) return null;
  if (status === 413) return BY_TYPE['entity.too.large']!();
  if (status === 415) return unsupportedMediaType();
  // zlib: 'Z_DATA_ERROR', 'Z_BUF_ERROR'… (body-parser has already set status 400 on it).
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return new AppError('malformed_body', 400, UNREADABLE);
  }
  return new AppError(
    'bad_request',
    status,
    'La solicitud no es válida. Vuelva a la página anterior e intente de nuevo.',
  );
}
