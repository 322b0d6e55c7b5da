import type { RequestHandler } from 'express';
import type { Config } from '../config';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';

export const STEP_UP_MESSAGE =
  'Verifique su identidad con la Identidad Electrónica para administrar.';

/**
 * Step-up for the powerful (ADMIN_EID_STEP_UP, on in production): the admin and audit areas need a
 * session opened or re-verified with the Identidad Electrónica within ADMIN_EID_MAX_AGE_IN_HOURS.
 * A page asked for goes to /login/step-up, which sends to the e-ID (the same person as the
 * session: the callback checks it) and back; a form posted without it gets 403 with the message.
 * While the provider is down (degraded mode) the actor proceeds: every page shows the banner and
 * every change they make is flagged in its audit row (`eidStepUpSkipped`).
 */
export const requireRecentEid =
  (deps: { config: Config; clock: Clock; eidAvailable(): boolean }) =>
  /** For the area of `role` (admin, auditor): someone without it gets the policy's answer. */
  (role: 'admin' | 'auditor'): RequestHandler => {
    const { enabled, maxAgeInHours } = deps.config.adminStepUp;
    const maxAgeMs = maxAgeInHours * 3_600_000;
    return (req, res, next) => {
      const auth = req.session?.auth;
      // Nobody signed in, or without the area's role: the route's policy answers (login, or 403).
      if (!enabled || !auth || !res.locals.actor.grants.some((g) => g.role === role)) return next();
      if (auth.eidVerifiedAt && deps.clock.now().getTime() - auth.eidVerifiedAt <= maxAgeMs)
        return next();
      if (!deps.eidAvailable()) {
        res.locals.stepUpSkipped = true;
        return next();
      }
      if (req.method === 'GET' || req.method === 'HEAD')
        return res.redirect(303, `/login/step-up?next=${encodeURIComponent(req.originalUrl)}`);
      next(new AppError('step_up_required', 403, STEP_UP_MESSAGE));
    };
  };
