import { Router, type RequestHandler } from 'express';
import { listAssignedEstablishments } from '../establishments/establishment-repository';
import type { RecordLoginEvent } from '../audit/recorder';
import { destroySession, regenerateSession, takeFlash } from '../sessions/session-ops';
import { SESSION_COOKIE } from '../sessions/session-middleware';
import { requestMeta } from '../http/request-meta';

/** GET / (the HIS shell) and POST /logout. */
export function homeRoutes(deps: {
  requireAuth: RequestHandler;
  protect: RequestHandler;
  record: RecordLoginEvent;
  cookieSecure: boolean;
  endProviderSession: () => Promise<string | null>;
}) {
  const router = Router();

  router.get('/', deps.requireAuth, async (req, res) => {
    const auth = req.session.auth!;
    const flash = takeFlash(req);
    res.render('home', {
      title: 'Inicio',
      establishments: await listAssignedEstablishments(auth.userId),
      flash,
    });
  });

  router.post('/logout', deps.requireAuth, deps.protect, async (req, res) => {
    const auth = req.session.auth!;
    await deps.record({
      ...requestMeta(req),
      userId: auth.userId,
      username: res.locals.user.username,
      method: 'logout',
      outcome: 'success',
      reason: 'logout',
      establishmentId: auth.establishmentId,
    });
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
