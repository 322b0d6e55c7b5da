import type { Request } from 'express';

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
    req.session.save((err) => (err ? req.next!(err) : redirect(...args)));
  }) as typeof res.redirect;
};

export const destroySession = (req: Request): Promise<void> =>
  new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));

export const saveSession = (req: Request): Promise<void> =>
  new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));

/** The one-time message left for this page, removed from the session as it is read. */
export function takeFlash(req: Request) {
  const flash = req.session.flash;
  delete req.session.flash;
  return flash;
}
