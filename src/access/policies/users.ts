import { isAdmin, isGlobalAdmin, scopesOf, type Actor } from '../actor';
import { coversPlace, coversScope, sameScope, type Grant, type Place, type Scope } from '../scope';
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
 * Every place the person works in lies inside the actor's admin scopes. What reaches the whole
 * account (its password, its status, its exemption, its data, its roles, its sessions) reaches
 * every establishment where the person works: a regional admin must not reset the password of
 * someone who also works in another región and so pass into the HIS there as them.
 */
export const managesWholly = (actor: Actor, user: UserTarget): boolean =>
  managesUser(actor, user) && user.places.every((p) => reachesPlace(actor, p));

/**
 * Whether one of the actor's admin scopes holds more power than the grant: a strictly wider
 * scope, or the same scope over an auditor (an admin of a scope outranks its auditor, not its
 * other admins: a peer cannot reset a peer and log in as them). A network-wide admin is
 * outranked by nobody on the screens: the CLI (src/cli) changes those accounts.
 */
const outranksGrant = (scope: Scope, grant: Grant): boolean =>
  coversScope(scope, grant.scope) && (!sameScope(scope, grant.scope) || grant.role === 'auditor');

/** Every admin or auditor role the user holds is outranked by the actor. Staff roles carry no power. */
export const outranksUser = (actor: Actor, user: UserTarget): boolean =>
  actor.system === true ||
  user.grants
    .filter((g) => g.role !== 'staff')
    .every((g) => scopesOf(actor, 'admin').some((s) => outranksGrant(s, g)));

/**
 * Changing the whole account: every place of the person in the actor's scope and no power of
 * the person's that the actor does not outrank. On oneself, managing is enough (one's own data
 * and sessions; what must never be done to oneself is refused by {@link changeOtherRule}).
 */
const changesUser = (actor: Actor, user: UserTarget): boolean =>
  user.id === actor.userId
    ? managesUser(actor, user)
    : managesWholly(actor, user) && outranksUser(actor, user);

/** Changing what lies in the actor's scope only (an establishment of theirs): any place in scope. */
const changesPartOf = (actor: Actor, user: UserTarget): boolean =>
  managesUser(actor, user) && (user.id === actor.userId || outranksUser(actor, user));

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

/** An establishment of the actor's scope, added to or removed from a person they manage. */
const placeRule: Rule<{ user: UserTarget; place: Place }> = {
  gate: isAdmin,
  allows: (actor, { user, place }) => changesPartOf(actor, user) && reachesPlace(actor, place),
};

/** A move between two establishments of the actor's scope ("Trasladar"): both must be theirs. */
const moveRule: Rule<{ user: UserTarget; from: Place; to: Place }> = {
  gate: isAdmin,
  allows: (actor, { user, from, to }) =>
    changesPartOf(actor, user) && reachesPlace(actor, from) && reachesPlace(actor, to),
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
  'users.moveEstablishment': moveRule,
  'users.setValidity': changeOtherRule,
  'users.setAssignmentValidity': placeRule,
  'users.resumeAssignment': placeRule,
  /** A staff file: every line is decided against the importer's scope by the plan itself. */
  'users.import': gateOnly(isAdmin),
  'users.grantRole': grantRule,
  'users.revokeRole': grantRule,
};
