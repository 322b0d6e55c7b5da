import type { RequestHandler } from 'express';
import multer from 'multer';
import { AppError } from '../shared/errors';

/** Why an upload was not taken, in Spanish, for the form to show beside its file field. */
const UPLOAD_PROBLEMS: Record<string, (maxBytes: number) => string> = {
  LIMIT_FILE_SIZE: (max) =>
    `El archivo supera el máximo de ${Math.round(max / 1024 / 1024)} MB. Divídalo en varios archivos.`,
  LIMIT_FILE_COUNT: () => 'Seleccione un solo archivo.',
  LIMIT_UNEXPECTED_FILE: () => 'Seleccione un solo archivo.',
};

/**
 * Parses `multipart/form-data` (file uploads) for the POST routes listed, and only those.
 *
 * It runs BEFORE the central CSRF check (mounted in app.ts between the session and csrf-sync):
 * csrf-sync reads the token from `req.body._csrf`, which only a multipart parser can fill for an
 * upload. So the token stays where every form keeps it, in the hidden `_csrf` field (never in a
 * URL, where logs and Referer headers would keep it), and the check itself stays the same single
 * check for every route: an upload without a valid token is refused with 403 like any other POST.
 * To keep that early parse cheap, only signed-in sessions are parsed (an anonymous POST fails the
 * CSRF check unread), in memory, one file of at most `maxBytes`, a handful of small fields.
 *
 * A file that is too large, or a second file, does not fail the request: the fields read before it
 * (the form puts `_csrf` first) still go to the CSRF check, and the route finds the reason in
 * `res.locals.uploadError` to show on the same form. A malformed body is a 400.
 */
export function multipartForms(
  paths: readonly string[],
  options: { field: string; maxBytes: number },
): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: options.maxBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
    // Browsers send file names in UTF-8 ("Establecimientos_Ñeembucú.csv").
    defParamCharset: 'utf8',
  }).single(options.field);
  const routes = new Set(paths);
  return (req, res, next) => {
    if (req.method !== 'POST' || !routes.has(req.path) || !req.session?.auth) return next();
    upload(req, res, (err?: unknown) => {
      if (!err) return next();
      const problem = err instanceof multer.MulterError ? UPLOAD_PROBLEMS[err.code] : undefined;
      if (problem) {
        res.locals.uploadError = problem(options.maxBytes);
        return next();
      }
      // Busboy's malformed-body errors, multer's other limits, or a client that went away.
      next(
        new AppError(
          'invalid_upload',
          400,
          'No se pudo leer el formulario enviado. Vuelva a la página anterior e intente de nuevo.',
          { cause: err },
        ),
      );
    });
  };
}
