import { Router } from 'express';
import { gate } from '../../access/policies';
import type { AdminDeps } from './deps';
import { establishmentAdminRoutes } from './establishments/routes';
import { regionAdminRoutes } from './regions/routes';
import { agreementAdminRoutes } from './agreement/routes';
import { reviewAdminRoutes } from './reviews/routes';
import { moduleAdminRoutes } from './modules/routes';
import { userDetailRoutes } from './users/detail-routes';
import { userListRoutes } from './users/list-routes';
import { userCreateRoutes } from './users/create-routes';
import { userImportRoutes, USER_UPLOAD } from './users/import-routes';
import { ESTABLISHMENT_UPLOAD } from './establishments/import-routes';

/** The admin screens' file uploads, for the pipeline's multipart stage. */
export const ADMIN_UPLOADS = [ESTABLISHMENT_UPLOAD, USER_UPLOAD] as const;
export type { AdminDeps };

/**
 * The administrators' screens, mounted at /admin: /admin/users, /admin/establishments and
 * /admin/regions, each a router of its own. Every route names its policy.
 */
export function adminArea(deps: AdminDeps) {
  const router = Router();
  // The menu offers "Módulos del HIS" to those who may open it (network-wide admins).
  router.use((_req, res, next) => {
    res.locals.canManageModules = gate(res.locals.actor, 'modules.list');
    next();
  });
  router.get('/', deps.policy('users.list'), (_req, res) => res.redirect(303, '/admin/users'));
  // The list, the creation form and the import before the detail routes: /admin/users/new is
  // not a user id.
  const users = Router().use(
    userListRoutes(deps),
    userCreateRoutes(deps),
    userImportRoutes(deps),
    userDetailRoutes(deps),
  );
  router.use('/users', users);
  router.use('/establishments', establishmentAdminRoutes(deps));
  router.use('/regions', regionAdminRoutes(deps));
  router.use('/agreement', agreementAdminRoutes(deps));
  router.use('/reviews', reviewAdminRoutes(deps));
  router.use('/modules', moduleAdminRoutes(deps));
  return router;
}
