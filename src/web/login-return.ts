import type { Request, Response } from 'express';

/**
 * Where the login goes back to once the establishment is chosen, when a module's sign-in sent
 * the person to log in first (src/areas/oidc): a short cookie on /login, so that it survives the
 * session id changes of the login. Only an interaction path of ours is ever followed.
 */
const COOKIE = 'his_login_return';
const INTERACTION = /^\/login\/oidc\/[A-Za-z0-9_-]{8,64}$/;

export function setLoginReturn(res: Response, path: string, secure: boolean): void {
  if (!INTERACTION.test(path)) return;
  res.cookie(COOKIE, path, {
    path: '/login',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: 10 * 60_000,
  });
}

/** The path to go back to (and the cookie cleared), or null. */
export function takeLoginReturn(req: Request, res: Response): string | null {
  const match = /(?:^|;\s*)his_login_return=([^;]*)/.exec(req.headers.cookie ?? '');
  if (!match) return null;
  res.clearCookie(COOKIE, { path: '/login' });
  const path = decodeURIComponent(match[1]!);
  return INTERACTION.test(path) ? path : null;
}
