import type { Response } from 'express';

/** Where a module's logout (RP-initiated, src/areas/oidc) ends: the module, when it may. */
export interface ModuleLogoutEnd {
  moduleName: string | null;
  /** The module's registered post-logout address, with its `state`; or null. */
  next: string | null;
}

/**
 * The page after a module's logout: "Sesión cerrada", then back to the module when it registered
 * where (a refresh), or the way to /login. Shown by the logout itself, or by /login when the
 * e-ID provider's own logout came in between (its return address is /login).
 */
export function renderModuleLoggedOut(res: Response, end: ModuleLogoutEnd): void {
  res.render('oidc-logged-out', {
    title: 'Sesión cerrada',
    moduleName: end.moduleName,
    refreshTo: end.next,
  });
}
