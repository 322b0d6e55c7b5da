import type { Actor } from '../actor';
import type { Place } from '../scope';
import { gateOnly, type Rule } from './rule';

const signedIn = (actor: Actor) => actor.userId > 0;

export const sessionRules = {
  /** Anyone, signed in or not (login pages, health checks). */
  public: gateOnly(() => true),
  /** Any open session: the home shell, logout, one's own account and sessions. */
  authenticated: gateOnly(signedIn),
  /** Switching to an establishment: only to one of one's own assigned, active ones. */
  'sessions.switchEstablishment': {
    gate: signedIn,
    allows: (actor: Actor, place: Place) => actor.establishments.some((p) => p.id === place.id),
  } satisfies Rule<Place>,
};
