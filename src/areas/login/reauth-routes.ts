import { Router } from 'express';
import type { Config } from '../../config';
import { formatDateTime, formatIsoDate } from '../../shared/time';
import type { UserRepository } from '../../storage/users';
import type { Policy } from '../../web/policy';

/**
 * GET /login/eid-required: the notice shown instead of a session when the e-ID must be used
 * again. It only explains and links to the e-ID; the e-ID callback checks it is the same person.
 */
export function reauthRoutes({
  config,
  repos: { users },
  policy,
  requiredSinceFor,
}: {
  config: Config;
  repos: { users: Pick<UserRepository, 'findById'> };
  policy: Policy;
  /** The user's e-ID rollout date (their regiones'), for the notice. */
  requiredSinceFor: (userId: number) => Promise<string | null>;
}) {
  const router = Router();
  router.get('/eid-required', policy('public'), async (req, res) => {
    const demand = req.session.reauth;
    if (!demand) return res.redirect(303, '/login');
    const user = await users.findById(demand.userId);
    if (!user) return res.redirect(303, '/login');
    const requiredSince = await requiredSinceFor(user.id);
    res.render('eid-required', {
      title: 'Inicie sesión con Identidad Electrónica',
      person: user,
      reason: demand.reason,
      monthsAgo: demand.monthsAgo,
      lastEid: user.lastEidLoginAt ? formatDateTime(user.lastEidLoginAt) : null,
      requiredSince: requiredSince ? formatIsoDate(requiredSince) : null,
      reauthAfterMonths: config.eid.reauthAfterMonths,
    });
  });
  return router;
}
