import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse } from 'cookie';
import { csrfSync } from 'csrf-sync';
import type { Request, Response } from 'express';

/** The login form's CSRF cookie; `__Host-` (Secure, Path=/, no Domain) whenever cookies are Secure. */
export const csrfCookieName = (secure: boolean) => (secure ? '__Host-his.csrf' : 'his.csrf');

const formToken = (req: Request): string | undefined => {
  const value = (req.body as Record<string, unknown> | undefined)?._csrf;
  return typeof value === 'string' ? value : undefined;
};

/** Whether the request carries a stored session (express-session's object holds more than its cookie). */
const hasStoredSession = (req: Request): boolean =>
  Boolean(req.session) && Object.keys(req.session).some((key) => key !== 'cookie');

/**
 * CSRF protection in two forms, so that anonymous pages cost Redis nothing:
 *
 * - **Synchronizer token** (csrf-sync) for every request that has a session: the token lives in
 *   the server-side session and every POST carries it in the hidden `_csrf` field. A signed-in
 *   session accepts nothing else.
 * - **Signed double-submit token** for the forms of visitors without a session (the login form,
 *   "¿Olvidó su contraseña?"): a random value in an HttpOnly SameSite=Lax cookie and, in the form,
 *   HMAC-SHA256(SESSION_SECRET, value). A site that cannot read our pages cannot produce the pair,
 *   and one that could plant a cookie (a sibling subdomain) still lacks the HMAC; with Secure
 *   cookies the `__Host-` prefix forbids planting it at all. It is accepted only while the request
 *   has no signed-in session (the login steps before the establishment choice need it, since
 *   another tab may have started one).
 *
 * Before the login form existed without a session, every anonymous GET /login stored a session
 * in Redis just to hold its token (30 minutes each, for anyone who looped on it).
 */
export function createCsrf(options: { secret: string; secure: boolean }) {
  const cookieName = csrfCookieName(options.secure);
  const sign = (value: string) =>
    createHmac('sha256', options.secret).update(`his-acceso csrf ${value}`).digest();
  /** The double-submit cookie value set by this response, so one page uses one value. */
  const issued = new WeakMap<Request, string>();

  /** The double-submit cookie the browser sent. */
  const sentCookie = (req: Request): string | undefined =>
    parse(req.headers.cookie ?? '')[cookieName];
  const cookieValue = (req: Request): string | undefined => issued.get(req) ?? sentCookie(req);

  const doubleSubmitValid = (req: Request): boolean => {
    const value = sentCookie(req);
    const sent = formToken(req);
    if (!value || !sent) return false;
    const expected = sign(value);
    const given = Buffer.from(sent, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const sync = csrfSync({
    getTokenFromRequest: formToken,
    // A visitor without a signed-in session may instead prove the double-submit pair.
    skipCsrfProtection: (req) => !req.session?.auth && doubleSubmitValid(req),
    errorConfig: { code: 'csrf_invalid', statusCode: 403, message: 'csrf_invalid' },
  });

  /**
   * The token for a form on this page: the session's when the request has a stored session,
   * otherwise the double-submit one (setting its cookie if the browser has none yet).
   */
  function generateToken(req: Request, res: Response): string {
    if (hasStoredSession(req)) return sync.generateToken(req);
    let value = cookieValue(req);
    if (!value) {
      value = randomBytes(32).toString('base64url');
      issued.set(req, value);
      res.cookie(cookieName, value, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secure,
        path: '/',
      });
    }
    return sign(value).toString('base64url');
  }

  return { protect: sync.csrfSynchronisedProtection, generateToken };
}
