import { isAdmin, isGlobalAdmin, scopesOf } from '../actor';
import { coversPlace, coversScope, type Place, type Scope } from '../scope';
import { gateOnly, type Rule } from './rule';

const coversRegion = (s: Scope, regionId: number) => coversScope(s, { kind: 'region', regionId });

/**
 * Editing an establishment: the admin's scope must reach it where it is and where it goes. Moving
 * it to another región changes who administers its users, so it takes a scope over both regiones
 * (an establishment's own admin may rename it, not move it).
 */
const editRule: Rule<{ place: Place; moveTo?: Place }> = {
  gate: isAdmin,
  allows: (actor, { place, moveTo }) =>
    scopesOf(actor, 'admin').some(
      (s) =>
        coversPlace(s, place) &&
        (!moveTo ||
          (moveTo.regionId === place.regionId
            ? coversPlace(s, moveTo)
            : coversRegion(s, place.regionId) && coversRegion(s, moveTo.regionId))),
    ),
};

export const establishmentRules = {
  'establishments.list': gateOnly(isAdmin),
  /** New establishments and the ministry's file are the network's business. */
  'establishments.create': gateOnly(isGlobalAdmin),
  'establishments.import': gateOnly(isGlobalAdmin),
  'establishments.update': editRule,
  'establishments.deactivate': editRule,
  /** Undoes a deactivation: the same reach as deactivating, its own audit code. */
  'establishments.activate': editRule,
};
