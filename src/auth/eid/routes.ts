import { Router } from 'express';
import type { Config } from '../../config';
import type { Clock } from '../../shared/clock';
import type { RecordLoginEvent } from '../../audit/recorder';
import { requestMeta } from '../../http/request-meta';
import { regenerateSession, saveSession } from '../../sessions/session-ops';
import { formatCedula } from '../../shared/cedula';
import { EidError, type EidFlow } from './provider';
import type { EidLogin } from './eid-login';

/** GET /auth/eid (start) and GET /auth/eid/callback. */
export function eidRoutes(deps: {
  config: Config;
  clock: Clock;
  eid: EidLogin;
  record: RecordLoginEvent;
}) {
  const router = Router();
  const { config, eid } = deps;

  router.get('/auth/eid', async (req, res) => {
    if (req.session.auth) return res.redirect(303, '/');
    let started;
    try {
      started = await eid.start(Boolean(req.session.reauth));
    } catch (err) {
      const error =
        err instanceof EidError ? err : new EidError('eid_provider_error', { cause: err });
      await deps.record({
        ...requestMeta(req),
        userId: req.session.reauth?.userId ?? null,
        method: 'eid',
        outcome: 'failure',
        reason: error.reason,
      });
      return res
        .status(error.status)
        .render('eid-error', { title: 'Identidad Electrónica', message: error.publicMessage });
    }
    req.session.eidFlow = started.flow;
    await saveSession(req);
    res.redirect(303, started.url);
  });

  router.get('/auth/eid/callback', async (req, res) => {
    const flow = req.session.eidFlow as EidFlow | undefined;
    delete req.session.eidFlow;
    const callbackUrl = new URL(config.eid.redirectUri);
    callbackUrl.search = new URL(req.originalUrl, config.baseUrl).search;
    const demand = req.session.reauth;

    const result = await eid.complete(callbackUrl, flow, demand, requestMeta(req));
    if (result.kind === 'accepted') {
      await regenerateSession(req);
      req.session.pending = {
        userId: result.user.id,
        method: 'eid',
        startedAt: deps.clock.now().getTime(),
        degraded: false,
        warningDaysLeft: null,
      };
      return res.redirect(303, '/login/establishment');
    }
    if ('error' in result) {
      if (result.error.reason === 'eid_cancelled') {
        req.session.flash = {
          kind: 'info',
          text: 'Inicio de sesión con Identidad Electrónica cancelado',
        };
        return res.redirect(303, '/login');
      }
      return res.status(result.error.status).render('eid-error', {
        title: 'Identidad Electrónica',
        message: result.error.publicMessage,
      });
    }
    if (result.reason === 'account_disabled') {
      req.session.flash = { kind: 'error', text: 'Usuario o contraseña incorrectos' };
      return res.redirect(303, '/login');
    }
    res.status(403).render('eid-refused', {
      title: 'Identidad Electrónica',
      reason: result.reason,
      cedula: formatCedula(result.documentNumber),
    });
  });

  return router;
}
