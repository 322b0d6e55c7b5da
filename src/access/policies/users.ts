import { isAdmin, isGlobalAdmin, scopesOf, type Actor } from '../actor';
import { coversPlace, coversScope, type Grant, type Place } from '../scope';
import { gateOnly, type Rule } from './rule';

/** A user as the rules see them: where they work and what they hold. */
export interface UserTarget {
  id: number;
  places: Place[];
  grants: Grant[];
}

/** A global admin manages everyone; a scoped admin, users assigned to a place of their scope. */
export const managesUser = (actor: Actor, user: UserTarget): boolean =>
  scopesOf(actor, 'admin').some(
    (s) => s.kind === 'global' || user.places.some((p) => coversPlace(s, p)),
  );

const reachesPlace = (actor: Actor, place: Place) =>
  scopesOf(actor, 'admin').some((s) => coversPlace(s, place));

const manageRule: Rule<UserTarget> = { gate: isAdmin, allows: managesUser };

/** Never on oneself: an administrator cannot disable themselves or change their own roles. */
const manageOtherRule: Rule<UserTarget> = {
  gate: isAdmin,
  allows: (actor, user) => user.id !== actor.userId && managesUser(actor, user),
};

const placeRule: Rule<{ user: UserTarget; place: Place }> = {
  gate: isAdmin,
  allows: (actor, { user, place }) => managesUser(actor, user) && reachesPlace(actor, place),
};

const grantRule: Rule<{ user: UserTarget; grant: Grant }> = {
  gate: isAdmin,
  allows: (actor, { user, grant }) =>
    user.id !== actor.userId &&
    managesUser(actor, user) &&
    scopesOf(actor, 'admin').some((s) => coversScope(s, grant.scope)),
};

export const userRules = {
  'users.list': gateOnly(isAdmin),
  'users.read': manageRule,
  /** New accounts start inside the creator's scope: a scoped admin must assign a place of it. */
  'users.create': {
    gate: isAdmin,
    allows: (actor: Actor, places: Place[]) =>
      isGlobalAdmin(actor) || (places.length > 0 && places.every((p) => reachesPlace(actor, p))),
  } satisfies Rule<Place[]>,
  'users.update': manageRule,
  'users.disable': manageOtherRule,
  'users.enable': manageRule,
  'users.unlock': manageRule,
  'users.resetPassword': manageOtherRule,
  'users.exempt': manageRule,
  'users.endSessions': manageRule,
  'users.assignEstablishment': placeRule,
  'users.unassignEstablishment': placeRule,
  'users.grantRole': grantRule,
  'users.revokeRole': grantRule,
};
