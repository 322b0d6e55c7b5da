import { parse } from 'cookie';
import type { Request, Response } from 'express';

/**
 * Where the login goes back to once the establishment is chosen, when a module's sign-in sent
 * the person to log in first (src/areas/oidc): a short cookie on /login, so that it survives the
 * session id changes of the login. It carries the module's name, which the login page shows
 * ("Al ingresar, continuará a «Agenda»"), with a way not to go there: on a shared PC the next
 * person may find a module's request left by the one before. Only an interaction path of ours
 * is ever followed.
 */
const COOKIE = 'his_login_return';
const INTERACTION = /^\/login\/oidc\/[A-Za-z0-9_-]{8,64}$/;

interface LoginReturn {
  path: string;
  /** The module's name, as registered ("Módulos del HIS"). */
  module: string | null;
}

export function setLoginReturn(
  res: Response,
  path: string,
  secure: boolean,
  moduleName: string | null = null,
): void {
  if (!INTERACTION.test(path)) return;
  const value: LoginReturn = { path, module: moduleName?.slice(0, 120) ?? null };
  res.cookie(COOKIE, JSON.stringify(value), {
    path: '/login',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: 10 * 60_000,
  });
}

/** The cookie's value, or undefined when the request has none. */
const cookieOf = (req: Request) => parse(req.headers.cookie ?? '')[COOKIE];

/** The pending return, if its cookie is there and names an interaction path of ours. */
function readLoginReturn(req: Request): LoginReturn | null {
  const raw = cookieOf(req);
  if (raw === undefined) return null;
  try {
    const value = JSON.parse(raw) as Partial<LoginReturn>;
    if (typeof value.path !== 'string' || !INTERACTION.test(value.path)) return null;
    return { path: value.path, module: typeof value.module === 'string' ? value.module : null };
  } catch {
    return null;
  }
}

/** The module the login will continue to (for the login page to say so), or null. */
export function pendingModule(req: Request): { name: string | null } | null {
  const pending = readLoginReturn(req);
  return pending ? { name: pending.module } : null;
}

/** Forgets the pending return ("Ingresar solo al HIS"). */
export function clearLoginReturn(res: Response): void {
  res.clearCookie(COOKIE, { path: '/login' });
}

/** The path to go back to (and the cookie cleared), or null. */
export function takeLoginReturn(req: Request, res: Response): string | null {
  const pending = readLoginReturn(req);
  if (cookieOf(req) !== undefined) clearLoginReturn(res);
  return pending?.path ?? null;
}
