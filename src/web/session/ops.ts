import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { Config } from '../../config';
import type { AuthMethod } from '../../domain/sessions/types';
import { SESSION_COOKIE, sessionCookieOptions } from './middleware';

/**
 * A new session id (and an empty session). The redirect that ends such a request is sent only
 * once the new session is stored: express-session otherwise sends the headers before its save
 * completes, and a browser following the redirect to another instance (several behind nginx)
 * could ask Redis for the session before it is there. npm run cluster's e-ID check met this.
 */
export const regenerateSession = async (req: Request): Promise<void> => {
  await new Promise<void>((resolve, reject) =>
    req.session.regenerate((err) => (err ? reject(err) : resolve())),
  );
  const res = req.res!;
  if (res.locals.savesBeforeRedirect) return;
  res.locals.savesBeforeRedirect = true;
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    // Destroyed since (a refusal after the new id): nothing to store.
    if (!req.session) return redirect(...args);
    const session = req.session;
    session.save((err) => {
      if (err) return req.next!(err);
      savedOnce(session);
      redirect(...args);
    });
  }) as typeof res.redirect;
};

/**
 * express-session saves a regenerated session once more as the response ends: it compares the
 * session with the one the request came with (another id), not with what was just stored, and a
 * session made by `regenerate` does not tell it of saves. That second write of the same session
 * was one more Redis round trip per login step, e-ID callback and logout; as long as the session
 * is what was stored, its save now only calls back.
 */
function savedOnce(session: Request['session']): void {
  const stored = JSON.stringify(session);
  const save = session.save;
  Object.defineProperty(session, 'save', {
    configurable: true,
    enumerable: false,
    writable: true,
    value(this: Request['session'], callback?: (err?: unknown) => void) {
      if (JSON.stringify(this) !== stored) return save.call(this, callback);
      callback?.();
      return this;
    },
  });
}

export const destroySession = (req: Request): Promise<void> =>
  new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));

/**
 * The browser's side of a logout, once the HIS session was ended (the logout command). A session
 * opened with the e-ID ends at the e-ID provider too when it has a logout of its own: on a shared
 * PC the next person's "Ingresar con Identidad Electrónica" would otherwise sign in as this one
 * without a password. The provider sends the browser back to /login, so a fresh anonymous
 * session carries `forLogin` there, and the provider's logout URL is returned for the redirect.
 * Otherwise the session is destroyed and its cookie cleared, and null is returned.
 */
export async function leaveSession(
  req: Request,
  deps: { config: Config; endProviderSession: () => Promise<string | null> },
  method: AuthMethod,
  forLogin: Pick<SessionData, 'flash' | 'afterModuleLogout'>,
): Promise<string | null> {
  const providerLogout = method === 'eid' ? await deps.endProviderSession() : null;
  if (providerLogout) {
    await regenerateSession(req);
    Object.assign(req.session, forLogin);
    return providerLogout;
  }
  await destroySession(req);
  req.res!.clearCookie(SESSION_COOKIE, sessionCookieOptions(deps.config));
  return null;
}

export const saveSession = (req: Request): Promise<void> =>
  new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));

/** The one-time message left for this page, removed from the session as it is read. */
export function takeFlash(req: Request) {
  const flash = req.session.flash;
  delete req.session.flash;
  return flash;
}
