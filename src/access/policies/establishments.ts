import { isAdmin, isGlobalAdmin, scopesOf } from '../actor';
import { coversPlace, type Place } from '../scope';
import { gateOnly, type Rule } from './rule';

/** Editing an establishment: the admin's scope must reach it where it is and where it goes. */
const editRule: Rule<{ place: Place; moveTo?: Place }> = {
  gate: isAdmin,
  allows: (actor, { place, moveTo }) =>
    scopesOf(actor, 'admin').some(
      (s) => coversPlace(s, place) && (!moveTo || coversPlace(s, moveTo)),
    ),
};

export const establishmentRules = {
  'establishments.list': gateOnly(isAdmin),
  /** New establishments and the ministry's file are the network's business. */
  'establishments.create': gateOnly(isGlobalAdmin),
  'establishments.import': gateOnly(isGlobalAdmin),
  'establishments.update': editRule,
  'establishments.deactivate': editRule,
};
