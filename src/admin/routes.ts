import { Router } from 'express';
import type { AdminDeps } from './deps';
import { establishmentAdminRoutes } from './establishments/routes';
import { regionAdminRoutes } from './regions/routes';
import { userDetailRoutes } from './users/detail-routes';
import { userListRoutes } from './users/list-routes';
import { userCreateRoutes } from './users/create-routes';

/** /admin: the administrators' screens. Each sub-router names its routes' policies. */
export function adminRoutes(deps: AdminDeps) {
  const router = Router();
  router.get('/admin', deps.policy('users.list'), (_req, res) => res.redirect(303, '/admin/users'));
  router.use(establishmentAdminRoutes(deps));
  router.use(regionAdminRoutes(deps));
  // Before the detail routes: /admin/users/new is not a user id.
  router.use(userListRoutes(deps), userCreateRoutes(deps));
  router.use(userDetailRoutes(deps));
  return router;
}
