import { Router, type Request, type Response } from 'express';
import type { MeDeps } from './deps';
import { submitForm } from '../../web/forms';
import { requestMeta } from '../../web/request-meta';
import { regenerateSession, takeFlash } from '../../web/session/ops';
import { changePassword, passwordMode } from '../../domain/passwords/commands/change-password';
import { acceptedPasswordFields } from '../../domain/passwords/new-password';
import { closeOtherSessions } from '../../domain/sessions/commands/close-other-sessions';
import { accessRoutes } from './access-routes';
import { agreementRoutes } from './agreement-routes';

const TITLES = {
  change: 'Cambiar contraseña',
  forced: 'Cambie su contraseña',
  first: 'Crear contraseña del HIS',
  eid_required: 'Crear contraseña del HIS',
};

const othersText = (n: number) =>
  n === 0
    ? 'No había otras sesiones abiertas.'
    : n === 1
      ? 'Se cerró 1 sesión abierta en otro equipo o navegador.'
      : `Se cerraron ${n} sesiones abiertas en otros equipos o navegadores.`;

/**
 * The account holder's own pages: /me/password (change, first password, forced change after a
 * one-time password), the other-sessions offer after it, and "Mis accesos". Mounted at /me.
 */
export function meArea(deps: MeDeps) {
  const router = Router();
  const signedIn = deps.policy('authenticated');
  const change = changePassword(deps);
  const closeOthers = closeOtherSessions(deps);

  /** What the password page shows for this account in this session. */
  const screen = async (req: Request, res: Response) => {
    const user = await deps.repos.users.findById(res.locals.actor.userId);
    const mode = passwordMode(
      {
        hasPassword: Boolean(user?.passwordHash),
        mustChangePassword: Boolean(user?.mustChangePassword),
      },
      req.session.auth!.method,
    );
    return { title: TITLES[mode], mode };
  };

  router.get('/password', signedIn, async (req, res) => {
    res.render('me/password', { ...(await screen(req, res)), values: {}, errors: {} });
  });

  router.post('/password', deps.policy(change), async (req, res) => {
    const auth = req.session.auth!;
    const meta = { ...requestMeta(req), sessionMethod: auth.method };
    // A refused form keeps the fields that were accepted (see acceptedPasswordFields).
    const done = await submitForm(
      res,
      'me/password',
      await screen(req, res),
      (errors) => acceptedPasswordFields(req.body, errors),
      () => change(res.locals.actor, req.body, meta),
    );
    if (!done.ok) return;
    // New credentials, new session id; the sessions elsewhere are offered next.
    await regenerateSession(req);
    req.session.auth = auth;
    await deps.sessions.add(auth.userId, req.sessionID);
    req.session.flash = { kind: 'info', text: 'Su contraseña se cambió correctamente.' };
    res.redirect(303, '/me/password/changed');
  });

  /** Shown once, right after the change: "Cerrar las otras sesiones" or "Continuar". */
  router.get('/password/changed', signedIn, async (req, res) => {
    const flash = takeFlash(req);
    if (!flash) return res.redirect(303, '/');
    const open = await deps.sessions.list(res.locals.actor.userId);
    const others = open.filter((sid) => sid !== req.sessionID).length;
    res.render('me/password-changed', { title: 'Contraseña actualizada', flash, others });
  });

  router.post('/sessions/close-others', deps.policy(closeOthers), async (req, res) => {
    const { others: ended } = await closeOthers(
      res.locals.actor,
      { currentSessionId: req.sessionID },
      requestMeta(req),
    );
    req.session.flash = { kind: 'info', text: othersText(ended) };
    // "Mis accesos" asks to come back to itself; a fixed path, never a redirect to anywhere.
    res.redirect(303, req.body?.returnTo === '/me/access' ? '/me/access' : '/');
  });

  router.use(accessRoutes(deps), agreementRoutes(deps));
  return router;
}
