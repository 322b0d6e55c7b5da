import type { Request, RequestHandler } from 'express';
import { AppError } from '../shared/errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const originRefused = () =>
  new AppError(
    'origin_refused',
    403,
    'La solicitud llegó desde otro sitio y fue rechazada por seguridad. Vuelva a la página de HIS Acceso e intente de nuevo.',
  );

/** The origin (`scheme://host[:port]`) of a URL header, or null when it is not a URL. */
function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * Defence in depth in front of the CSRF token: a state-changing request sent by another site is
 * refused with 403 `origin_refused` even when it carries a valid token (a token can leak; a
 * browser does not lie about the page that sent the form).
 *
 * - `Sec-Fetch-Site: cross-site` is refused outright. `same-site` (another HIS module under the
 *   same registrable domain, which SameSite=Lax cookies do not stop) goes on to the Origin check.
 * - `Origin` must be BASE_URL's origin or the request's own (`scheme://Host`, as Rails' and
 *   Django's checks compare it: a cross-site form cannot change the Host its browser sends). The
 *   opaque `null` origin (sandboxed frames, `data:` pages) is refused; our own pages never send it
 *   because they use `Referrer-Policy: same-origin` (with `no-referrer` browsers send `null`).
 * - Without `Origin` (old browsers, non-browser clients), a `Referer` is held to the same rule, as
 *   Django does; with neither header the request goes on and the CSRF token alone decides.
 */
export function refuseForeignOrigin(baseUrl: string): RequestHandler {
  const configured = new URL(baseUrl).origin;
  const allowed = (req: Request, origin: string | null) =>
    origin !== null && (origin === configured || origin === `${req.protocol}://${req.get('host')}`);

  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (req.get('sec-fetch-site') === 'cross-site') return next(originRefused());
    const origin = req.get('origin');
    if (origin !== undefined)
      return next(allowed(req, originOf(origin)) ? undefined : originRefused());
    const referer = req.get('referer');
    if (referer !== undefined && !allowed(req, originOf(referer))) return next(originRefused());
    next();
  };
}
