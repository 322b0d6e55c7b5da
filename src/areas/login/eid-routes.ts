import { accountExpiredMessage } from '../../domain/users/validity';
import { Router, type Request } from 'express';
import type { Config } from '../../config';
import type { Clock } from '../../shared/clock';
import type { RecordLoginEvent } from '../../domain/audit/recorder';
import { requestMeta } from '../../web/request-meta';
import { regenerateSession, saveSession } from '../../web/session/ops';
import { formatCedula } from '../../shared/cedula';
import { safeReturnPath } from '../../shared/paths';
import { GENERIC_FAILURE } from '../../domain/authentication/messages';
import { EidError, type EidFlow } from '../../eid/provider';
import type { EidLogin } from '../../domain/authentication/eid-login';
import type { SessionIndex } from '../../domain/sessions/session-index';
import type { ReauthDemand } from '../../domain/sessions/types';
import type { Policy } from '../../web/policy';
import type { IdentityCache } from '../../domain/sessions/identity-cache';
import { markPasswordResetVerified, takePasswordResetIntent } from './password-reset';

/**
 * GET /auth/eid (start) and GET /auth/eid/callback. Started from an open session, the flow
 * refreshes that user's e-ID login (the warning's "Verificar ahora") and keeps the session.
 * Started from "¿Olvidó su contraseña?", it leads to the new-password form, never to a session.
 */
export function eidSteps(deps: {
  config: Config;
  clock: Clock;
  eidLogin: EidLogin;
  record: RecordLoginEvent;
  sessions: SessionIndex;
  policy: Policy;
  identities: IdentityCache;
}) {
  const router = Router();
  const { config, eidLogin: eid } = deps;

  /** Who the e-ID must turn out to be: the user of a forced re-auth or of the open session. */
  const expectedPerson = (req: Request): ReauthDemand | undefined => {
    const auth = req.session.auth;
    return (
      req.session.reauth ??
      (auth && {
        userId: auth.userId,
        reason: 'refresh',
        monthsAgo: null,
        createdAt: auth.createdAt,
      })
    );
  };

  router.get('/', deps.policy('public'), async (req, res) => {
    // Only /login/forgot starts a password reset: the plain e-ID button drops an abandoned one.
    if (req.query.intent !== 'password-reset') delete req.session.passwordReset;
    // From an open session ("Verificar ahora", the admin areas' step-up): where to come back to.
    if (req.session.auth && typeof req.query.next === 'string')
      req.session.eidReturnTo = safeReturnPath(req.query.next);
    else delete req.session.eidReturnTo;
    let started;
    try {
      // A reset must prove the person now, not reuse a provider session left on a shared PC.
      started = await eid.start(Boolean(expectedPerson(req) ?? req.session.passwordReset));
    } catch (err) {
      const error =
        err instanceof EidError ? err : new EidError('eid_provider_error', { cause: err });
      await deps.record({
        ...requestMeta(req),
        userId: expectedPerson(req)?.userId ?? null,
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

  router.get('/callback', deps.policy('public'), async (req, res) => {
    const flow = req.session.eidFlow as EidFlow | undefined;
    delete req.session.eidFlow;
    const callbackUrl = new URL(config.eid.redirectUri);
    callbackUrl.search = new URL(req.originalUrl, config.baseUrl).search;
    const demand = expectedPerson(req);
    const resetRequested = takePasswordResetIntent(req, deps.clock.now());

    const result = await eid.complete(callbackUrl, flow, demand, requestMeta(req));
    // The badge of every open session of this person changes with the new e-ID login: its date
    // is stamped in the cached identity (no PostgreSQL read).
    if (result.kind === 'accepted' && result.user.lastEidLoginAt)
      await deps.identities.stampEidLogin(result.user.id, result.user.lastEidLoginAt);
    const auth = req.session.auth;
    const back = req.session.eidReturnTo ?? '/';
    delete req.session.eidReturnTo;
    if (result.kind === 'accepted' && auth) {
      // Same person, same establishment: the session goes on under a new id.
      await regenerateSession(req);
      req.session.auth = {
        ...auth,
        method: 'eid',
        degraded: false,
        warningDaysLeft: null,
        eidVerifiedAt: deps.clock.now().getTime(),
      };
      req.session.flash = { kind: 'info', text: 'Identidad Electrónica verificada.' };
      await deps.sessions.add(auth.userId, req.sessionID);
      return res.redirect(303, back);
    }
    if (result.kind === 'accepted' && resetRequested) {
      await markPasswordResetVerified(req, result.user.id, deps.clock.now());
      return res.redirect(303, '/login/forgot/new-password');
    }
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
        return res.redirect(303, auth ? '/' : '/login');
      }
      return res.status(result.error.status).render('eid-error', {
        title: 'Identidad Electrónica',
        message: result.error.publicMessage,
      });
    }
    if (result.reason === 'account_disabled') {
      req.session.flash = { kind: 'error', text: GENERIC_FAILURE };
      return res.redirect(303, '/login');
    }
    if (result.reason === 'account_expired' && result.user?.validUntil) {
      req.session.flash = { kind: 'error', text: accountExpiredMessage(result.user.validUntil) };
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
