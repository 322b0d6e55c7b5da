import express, { type RequestHandler } from 'express';
import { AppError } from '../shared/errors';

/** The largest form body read (after decompression): the biggest real form is well under 4 KB. */
export const FORM_BODY_LIMIT_IN_BYTES = 16 * 1024;
/** More fields than any form has; body-parser answers 413 above it. */
export const MAX_FORM_FIELDS = 1000;

const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

export const unsupportedMediaType = () =>
  new AppError(
    'unsupported_media_type',
    415,
    'El formulario se envió en un formato que esta aplicación no acepta. Vuelva a la página anterior e intente de nuevo.',
  );

/** A body is present when it has bytes: a POST with `Content-Length: 0` (or none) is not one. */
const carriesBody = (req: express.Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;

/**
 * What the app reads from a request body, in front of everything that reads one: HTML forms
 * (urlencoded) everywhere, multipart only on `multipartPaths` (parsed later, after the session, by
 * multipartForms). Any other body (JSON, XML, text, a form with no type) is a 415 before the
 * session, the CSRF check or a route sees it, rather than a route meeting an empty `req.body`.
 * The parser's own refusals (size, field count, charset, encoding, bad gzip) are mapped to 413,
 * 415 and 400 by bodyErrorToAppError (src/web/body-errors.ts), which toAppError calls.
 */
export function formBodies(multipartPaths: readonly string[]): RequestHandler[] {
  const multipart = new Set(multipartPaths);
  const acceptedTypes: RequestHandler = (req, _res, next) => {
    if (!carriesBody(req)) return next();
    const type = req.is([FORM, MULTIPART]);
    if (type === FORM) return next();
    if (type === MULTIPART && req.method === 'POST' && multipart.has(req.path)) return next();
    next(unsupportedMediaType());
  };
  const undecodable = new WeakMap<express.Request, string[]>();
  return [
    acceptedTypes,
    express.urlencoded({
      extended: false,
      limit: FORM_BODY_LIMIT_IN_BYTES,
      parameterLimit: MAX_FORM_FIELDS,
      verify: (req, _res, buf) => {
        const names = undecodableFields(buf);
        if (names.length) undecodable.set(req as express.Request, names);
      },
    }),
    // A field whose bytes are not UTF-8 is left by the parser as typed ("Regi%F3n"): it becomes
    // U+FFFD, which validation refuses beside the field (src/shared/validation.ts), instead of
    // being stored as percent signs.
    (req, _res, next) => {
      const body = req.body as Record<string, unknown> | undefined;
      for (const name of undecodable.get(req) ?? [])
        if (body && name in body) body[name] = '\uFFFD';
      next();
    },
  ];
}

/** Names of the urlencoded fields whose percent-escapes are not UTF-8 (`%F3` of Latin-1). */
function undecodableFields(buf: Buffer): string[] {
  const names: string[] = [];
  for (const pair of buf.toString('latin1').split('&')) {
    const [name = '', value = ''] = pair.split('=');
    const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
    try {
      decode(value);
    } catch {
      try {
        names.push(decode(name));
      } catch {
        // An undecodable name matches no field of ours.
      }
    }
  }
  return names;
}
