import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AuthenticateClassic } from '../../domain/authentication/classic-login';
import { parseForm } from '../../web/validate';
import { GENERIC_FAILURE } from '../../domain/authentication/messages';
import { requestMeta } from '../../web/request-meta';
import { regenerateSession, takeFlash } from '../../web/session/ops';
import type { Clock } from '../../shared/clock';
import type { Policy } from '../../web/policy';
import { closedNotice, loginNotice } from './login-notice';
import { clearLoginReturn, pendingModule } from '../../web/login-return';
import { renderModuleLoggedOut } from '../../web/module-logout';
import { accountExpiredMessage } from '../../domain/users/validity';

const loginForm = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(256),
});

export { GENERIC_FAILURE };

/** The 429 page's message: the wait in whole minutes, rounded up. */
export const throttledMessage = (retryAfterSeconds: number): string => {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Demasiados intentos fallidos desde esta red. Espere ${minutes} ${minutes === 1 ? 'minuto' : 'minutos'} y vuelva a intentarlo, o ingrese con la Identidad Electrónica.`;
};

export interface ClassicRoutesDeps {
  authenticateClassic: AuthenticateClassic;
  clock: Clock;
  eidAvailable: () => boolean;
  policy: Policy;
}

/** GET/POST /login: the classic form and the e-ID button. */
export function classicLoginRoutes({
  authenticateClassic: authenticate,
  clock,
  eidAvailable,
  policy,
}: ClassicRoutesDeps) {
  const router = Router();

  const renderLogin = (
    req: Parameters<RequestHandler>[0],
    res: Parameters<RequestHandler>[1],
    status: number,
    data: {
      error?: string;
      notice?: string;
      username?: string;
      failed?: boolean;
    },
  ) => {
    // The HIS module a pending sign-in continues to (its name; '' when unknown).
    const pending = pendingModule(req);
    res.status(status).render('login', {
      title: 'Iniciar sesión',
      eidAvailable: eidAvailable(),
      continueTo: pending ? (pending.name ?? '') : undefined,
      ...data,
    });
  };

  router.get('/', policy('public'), (req, res) => {
    if (req.session.auth) return res.redirect(303, '/');
    // "Ingresar solo al HIS": the pending module sign-in is forgotten, the login page shown again.
    if (req.query.solo === 'his') {
      clearLoginReturn(res);
      return res.redirect(303, '/login');
    }
    // Back from the e-ID provider's logout after a module's: its page, then the module.
    const moduleLogout = req.session.afterModuleLogout;
    if (moduleLogout) {
      delete req.session.afterModuleLogout;
      return renderModuleLoggedOut(res, moduleLogout);
    }
    const flash = takeFlash(req);
    const username = req.session.loginUsername;
    delete req.session.loginUsername;
    const closed = res.locals.sessionClosed;
    renderLogin(req, res, 200, {
      notice: closed ? closedNotice(closed) : loginNotice(req.query),
      error: flash?.kind === 'error' ? flash.text : undefined,
      ...(flash?.kind === 'info' ? { notice: flash.text } : {}),
      username,
    });
  });

  router.post('/', policy('public'), async (req, res) => {
    const form = parseForm(loginForm, req);
    if (!form) {
      return renderLogin(req, res, 400, {
        error: 'Ingrese su usuario y su contraseña.',
        username: typeof req.body?.username === 'string' ? req.body.username.slice(0, 100) : '',
      });
    }
    const result = await authenticate({ ...form, ...requestMeta(req) });
    if (result.kind === 'throttled') {
      // Says nothing about the account: the source is refused whatever the username.
      res.set('Retry-After', String(result.retryAfterSeconds));
      return renderLogin(req, res, 429, { error: throttledMessage(result.retryAfterSeconds) });
    }
    if (result.kind === 'expired') {
      // The password was right: the person is told why, and whom to ask.
      return renderLogin(req, res, 403, {
        error: accountExpiredMessage(result.validUntil),
        username: form.username,
      });
    }
    if (result.kind === 'refused') {
      // The same words whatever the cause (unknown, wrong, locked, disabled), and the two ways
      // out that work without an administrator.
      return renderLogin(req, res, 401, {
        error: GENERIC_FAILURE,
        username: form.username,
        failed: true,
      });
    }
    await regenerateSession(req);
    const now = clock.now().getTime();
    if (result.kind === 'reauth') {
      req.session.reauth = {
        userId: result.user.id,
        reason: result.reason,
        monthsAgo: result.monthsAgo,
        createdAt: now,
      };
      return res.redirect(303, '/login/eid-required');
    }
    req.session.pending = {
      userId: result.user.id,
      method: 'classic',
      startedAt: now,
      degraded: result.degraded,
      warningDaysLeft: result.warningDaysLeft,
    };
    res.redirect(303, '/login/establishment');
  });

  return router;
}
