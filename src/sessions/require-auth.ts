import type { RequestHandler } from 'express';
import { findUserById } from '../users/user-repository';
import { findEstablishmentById } from '../establishments/establishment-repository';
import { destroySession } from './session-ops';
import type { Clock } from '../shared/clock';
import { eidBadgeView, type BadgePolicy } from '../badges/eid-badge';

/**
 * Lets through only open sessions of active users, and puts the user and the current
 * establishment in `res.locals` for the views. A user disabled meanwhile is logged out here.
 */
export function requireAuth(clock: Clock, badge: BadgePolicy): RequestHandler {
  return async (req, res, next) => {
    const auth = req.session?.auth;
    if (!auth) {
      if (req.method === 'GET') res.redirect(303, '/login');
      else
        res.status(401).render('error', {
          title: 'Sesión requerida',
          status: 401,
          message: 'Su sesión terminó. Inicie sesión nuevamente.',
          supportId: null,
        });
      return;
    }
    const [user, establishment] = await Promise.all([
      findUserById(auth.userId),
      findEstablishmentById(auth.establishmentId),
    ]);
    if (!user || user.status !== 'active' || !establishment) {
      await destroySession(req);
      res.redirect(303, '/login');
      return;
    }
    res.locals.user = user;
    res.locals.establishment = establishment;
    res.locals.auth = auth;
    res.locals.badge = eidBadgeView(user.lastEidLoginAt, clock.now(), badge);
    next();
  };
}
