import { Router } from 'express';
import type { Config } from '../../config';
import type { Clock } from '../../shared/clock';
import { AppError } from '../../shared/errors';
import type { Repositories } from '../../storage/repositories';
import type { RecordLoginEvent } from '../../domain/audit/recorder';
import { logout } from '../../domain/sessions/commands/logout';
import { switchEstablishment } from '../../domain/sessions/commands/switch-establishment';
import type { Policy } from '../../web/policy';
import { requestMeta } from '../../web/request-meta';
import { leaveSession, takeFlash } from '../../web/session/ops';
import { lastLoginMessage } from './last-login-notice';
import type { SsoRegistry } from '../../domain/sessions/sso';

export interface HomeAreaDeps {
  config: Config;
  clock: Clock;
  repos: Repositories;
  record: RecordLoginEvent;
  policy: Policy;
  /** The e-ID provider's logout URL, when it has one (shared PCs: end its session too). */
  endProviderSession: () => Promise<string | null>;
  /** The HIS modules this session signed into: told at logout (back-channel logout). */
  sso: Pick<SsoRegistry, 'end'>;
}

/**
 * The HIS shell: GET / (the home page), POST /logout, and POST /establishment ("Cambiar de
 * establecimiento", from the header of every page). Mounted at /.
 */
export function homeArea(deps: HomeAreaDeps) {
  const router = Router();
  const signedIn = deps.policy('authenticated');
  const end = logout(deps);
  const moveTo = switchEstablishment(deps);

  router.get('/', signedIn, (req, res) => {
    // Shown once: the first home page after a login takes the notice out of the session.
    const notice = req.session.lastLoginNotice;
    delete req.session.lastLoginNotice;
    res.render('home', {
      title: 'Inicio',
      establishments: res.locals.user?.establishments ?? [],
      flash: takeFlash(req),
      lastLogin: notice ? lastLoginMessage(notice) : null,
      agendaUrl: deps.config.agendaUrl,
    });
  });

  router.post('/logout', signedIn, async (req, res) => {
    const auth = req.session.auth!;
    await end(res.locals.actor, { ssoId: auth.ssoId }, requestMeta(req));
    const providerLogout = await leaveSession(req, deps, auth.method, {
      flash: { kind: 'info', text: 'Cerró su sesión correctamente.' },
    });
    res.redirect(303, providerLogout ?? '/login?bye=1');
  });

  router.post('/establishment', deps.policy(moveTo.action), async (req, res) => {
    try {
      const target = await moveTo(res.locals.actor, req.body, requestMeta(req));
      if (target) {
        req.session.auth!.establishmentId = target.id;
        req.session.flash = { kind: 'info', text: `Ahora trabaja en ${target.name}.` };
      }
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      req.session.flash = { kind: 'error', text: err.publicMessage };
    }
    res.redirect(303, '/');
  });

  return router;
}
