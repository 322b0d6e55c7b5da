import { Router } from 'express';
import { classicLoginRoutes, type ClassicRoutesDeps } from './classic-routes';
import { eidSteps } from './eid-routes';
import { establishmentStep, type EstablishmentRoutesDeps } from './establishment-routes';
import { reauthRoutes } from './reauth-routes';
import { forgotPasswordRoutes, type ForgotDeps } from './forgot-routes';
import { stepUpRoutes } from './step-up-routes';

export type LoginAreaDeps = ClassicRoutesDeps &
  EstablishmentRoutesDeps &
  ForgotDeps &
  Parameters<typeof reauthRoutes>[0] &
  Parameters<typeof eidSteps>[0];

/**
 * The login, every step of it: the classic form (/login), the e-ID round trip (/auth/eid and its
 * callback), the forced e-ID re-authentication notice, the establishment step (also the e-ID
 * confirmation, "No soy yo"), and "¿Olvidó su contraseña?". `pages` is mounted at /login, `eid`
 * at /auth/eid (the callback URL registered at MITIC).
 */
export function loginArea(deps: LoginAreaDeps) {
  const pages = Router();
  pages.use(classicLoginRoutes(deps));
  pages.use(establishmentStep(deps));
  pages.use(reauthRoutes(deps));
  pages.use(forgotPasswordRoutes(deps));
  pages.use(stepUpRoutes(deps));
  return { pages, eid: eidSteps(deps) };
}
