import { Router } from 'express';
import type { AdminDeps } from './deps';
import { establishmentAdminRoutes } from './establishments/routes';
import { regionAdminRoutes } from './regions/routes';
import { userDetailRoutes } from './users/detail-routes';
import { userListRoutes } from './users/list-routes';
import { userCreateRoutes } from './users/create-routes';

export { ESTABLISHMENT_UPLOAD } from './establishments/import-routes';
export type { AdminDeps };

/**
 * The administrators' screens, mounted at /admin: /admin/users, /admin/establishments and
 * /admin/regions, each a router of its own. Every route names its policy.
 */
export function adminArea(deps: AdminDeps) {
  const router = Router();
  router.get('/', deps.policy('users.list'), (_req, res) => res.redirect(303, '/admin/users'));
  // The list and the creation form before the detail routes: /admin/users/new is not a user id.
  const users = Router().use(userListRoutes(deps), userCreateRoutes(deps), userDetailRoutes(deps));
  router.use('/users', users);
  router.use('/establishments', establishmentAdminRoutes(deps));
  router.use('/regions', regionAdminRoutes(deps));
  return router;
}
