import { Router } from 'express';
import type { Config } from '../../config';
import { safeReturnPath } from '../../shared/paths';
import type { Policy } from '../../web/policy';
import { STEP_UP_MESSAGE } from '../../web/step-up';

/**
 * GET /login/step-up: why the admin or audit page asked for the e-ID, and the button that goes
 * through it (the same person as the session) and back to that page.
 */
export function stepUpRoutes(deps: { config: Config; policy: Policy; eidAvailable(): boolean }) {
  const router = Router();
  router.get('/step-up', deps.policy('authenticated'), (req, res) => {
    const next = safeReturnPath(req.query.next, '/');
    res.render('step-up', {
      title: 'Verifique su identidad',
      message: STEP_UP_MESSAGE,
      hours: deps.config.adminStepUp.maxAgeInHours,
      eidHref: `/auth/eid?next=${encodeURIComponent(next)}`,
      eidAvailable: deps.eidAvailable(),
    });
  });
  return router;
}
