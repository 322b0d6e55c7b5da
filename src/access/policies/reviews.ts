import { isAdmin, isGlobalAdmin, type Actor } from '../actor';
import { gateOnly, type Rule } from './rule';
import { managesWholly, outranksUser, type UserTarget } from './users';

/**
 * Confirming a person's access in a review: never one's own (nobody reviews themselves); a
 * network-wide admin confirms anyone else; a scoped admin, a person whose every establishment
 * lies in their scope and whose powers they outrank — the same reach as changing the account,
 * so a person who also works in another región is confirmed by a network-wide admin, and a peer
 * administrator by someone above both.
 */
const confirmRule: Rule<UserTarget> = {
  gate: isAdmin,
  allows: (actor: Actor, user: UserTarget) =>
    user.id !== actor.userId &&
    (isGlobalAdmin(actor) || (managesWholly(actor, user) && outranksUser(actor, user))),
};

export const reviewRules = {
  /** The reviews and, in each, the people of the admin's scope with their decisions. */
  'reviews.read': gateOnly(isAdmin),
  /** Opening a review for the whole network, with its last day: network-wide admins. */
  'reviews.open': gateOnly(isGlobalAdmin),
  /** Closing a review after its last day (the unreviewed listed, and maybe suspended). */
  'reviews.close': gateOnly(isGlobalAdmin),
  'reviews.confirm': confirmRule,
};
