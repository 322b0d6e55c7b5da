import { isAdmin, isGlobalAdmin, scopesOf, type Actor } from '../actor';
import { coversPlace, coversScope, type Grant, type Place } from '../scope';
import { gateOnly, type Rule } from './rule';

/** A user as the rules see them: where they work and what they hold. */
export interface UserTarget {
  id: number;
  places: Place[];
  grants: Grant[];
}

/** What creating an account decides on: where the new user works and the role they start with. */
export interface NewUserTarget {
  places: Place[];
  grant: Grant;
}

/** A global admin manages everyone; a scoped admin, users assigned to a place of their scope. */
export const managesUser = (actor: Actor, user: UserTarget): boolean =>
  scopesOf(actor, 'admin').some(
    (s) => s.kind === 'global' || user.places.some((p) => coversPlace(s, p)),
  );

const reachesPlace = (actor: Actor, place: Place) =>
  scopesOf(actor, 'admin').some((s) => coversPlace(s, place));

/**
 * Whether every admin or auditor role the user holds lies inside the actor's admin scopes: a
 * regional admin must not reset the password of (and so become) a network-wide admin or auditor
 * who happens to work in their región. Staff roles carry no power here and do not count.
 */
export const outranksUser = (actor: Actor, user: UserTarget): boolean =>
  user.grants
    .filter((g) => g.role !== 'staff')
    .every((g) => scopesOf(actor, 'admin').some((s) => coversScope(s, g.scope)));

/** Changing a user: one the actor manages and who holds no power beyond the actor's. */
const changesUser = (actor: Actor, user: UserTarget): boolean =>
  managesUser(actor, user) && outranksUser(actor, user);

const manageRule: Rule<UserTarget> = { gate: isAdmin, allows: managesUser };

const changeRule: Rule<UserTarget> = { gate: isAdmin, allows: changesUser };

/**
 * Never on oneself: an administrator cannot disable themselves, reset their own password,
 * exempt themselves from the e-ID or change their own roles.
 */
const changeOtherRule: Rule<UserTarget> = {
  gate: isAdmin,
  allows: (actor, user) => user.id !== actor.userId && changesUser(actor, user),
};

const placeRule: Rule<{ user: UserTarget; place: Place }> = {
  gate: isAdmin,
  allows: (actor, { user, place }) => changesUser(actor, user) && reachesPlace(actor, place),
};

/** As at creation, a staff role carries no power, so its scope need not lie inside the actor's. */
const grantRule: Rule<{ user: UserTarget; grant: Grant }> = {
  gate: isAdmin,
  allows: (actor, { user, grant }) =>
    user.id !== actor.userId &&
    changesUser(actor, user) &&
    (grant.role === 'staff' || scopesOf(actor, 'admin').some((s) => coversScope(s, grant.scope))),
};

export const userRules = {
  'users.list': gateOnly(isAdmin),
  'users.read': manageRule,
  /**
   * New accounts start inside the creator's scope: a scoped admin must assign places of it, and
   * an admin or auditor role is granted only in a scope the creator's covers (never wider). A
   * staff role carries no power of its own (staff reach only their establishments): no scope.
   */
  'users.create': {
    gate: isAdmin,
    allows: (actor: Actor, { places, grant }: NewUserTarget) =>
      (isGlobalAdmin(actor) ||
        (places.length > 0 && places.every((p) => reachesPlace(actor, p)))) &&
      (grant.role === 'staff' || scopesOf(actor, 'admin').some((s) => coversScope(s, grant.scope))),
  } satisfies Rule<NewUserTarget>,
  'users.update': changeRule,
  'users.disable': changeOtherRule,
  'users.enable': changeRule,
  'users.unlock': changeRule,
  'users.resetPassword': changeOtherRule,
  'users.exempt': changeOtherRule,
  'users.endSessions': changeRule,
  'users.assignEstablishment': placeRule,
  'users.unassignEstablishment': placeRule,
  'users.grantRole': grantRule,
  'users.revokeRole': grantRule,
};
