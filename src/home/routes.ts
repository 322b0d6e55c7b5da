import { Router } from 'express';
import { destroySession, regenerateSession, takeFlash } from '../sessions/session-ops';
import { SESSION_COOKIE } from '../sessions/session-middleware';
import { requestMeta } from '../http/request-meta';
import type { Policy } from '../http/policy';
import type { logout } from '../sessions/commands/logout';
import { lastLoginMessage } from '../me/last-login-notice';

/** GET / (the HIS shell) and POST /logout. */
export function homeRoutes(deps: {
  policy: Policy;
  logout: ReturnType<typeof logout>;
  cookieSecure: boolean;
  endProviderSession: () => Promise<string | null>;
}) {
  const router = Router();
  const signedIn = deps.policy('authenticated');

  router.get('/', signedIn, (req, res) => {
    // Shown once: the first home page after a login takes the notice out of the session.
    const notice = req.session.lastLoginNotice;
    delete req.session.lastLoginNotice;
    res.render('home', {
      title: 'Inicio',
      establishments: res.locals.user.establishments,
      flash: takeFlash(req),
      lastLogin: notice ? lastLoginMessage(notice) : null,
    });
  });

  router.post('/logout', signedIn, async (req, res) => {
    const auth = req.session.auth!;
    await deps.logout(res.locals.actor, {}, requestMeta(req));
    const providerLogout = auth.method === 'eid' ? await deps.endProviderSession() : null;
    if (providerLogout) {
      // The provider returns the browser to /login; a fresh anonymous session carries the message.
      await regenerateSession(req);
      req.session.flash = { kind: 'info', text: 'Cerró su sesión correctamente.' };
      return res.redirect(303, providerLogout);
    }
    await destroySession(req);
    res.clearCookie(SESSION_COOKIE, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.cookieSecure,
    });
    res.redirect(303, '/login?bye=1');
  });

  return router;
}
