import type { Grant, Place, Scope } from './scope';

/**
 * The person making a request, as every rule sees them: built once per request from the
 * session's cached identity (no database read).
 */
export interface Actor {
  userId: number;
  username: string;
  grants: Grant[];
  /** The establishment the session works in (for the audit). */
  establishmentId: number | null;
  /** The active establishments assigned to the actor. */
  establishments: Place[];
  /**
   * The server's operator (the CLI, src/cli/actor.ts): outranks every account, network-wide
   * administrators included, whom no one outranks on the screens.
   */
  system?: boolean;
}

/** The scopes in which the actor holds `role`. */
export const scopesOf = (actor: Actor, role: Grant['role']): Scope[] =>
  actor.grants.filter((g) => g.role === role).map((g) => g.scope);

export const isGlobal = (actor: Actor, role: Grant['role']): boolean =>
  scopesOf(actor, role).some((s) => s.kind === 'global');

/** Nobody: what anonymous requests are checked as. */
export const ANONYMOUS: Actor = {
  userId: 0,
  username: '',
  grants: [],
  establishmentId: null,
  establishments: [],
};

/** Holds the admin role in some scope. */
export const isAdmin = (actor: Actor): boolean => scopesOf(actor, 'admin').length > 0;

export const isGlobalAdmin = (actor: Actor): boolean => isGlobal(actor, 'admin');

/** The regiones of the actor's own establishments and scopes: whose auditors see their refusals. */
export const regionsOf = (actor: Actor): number[] => [
  ...new Set([
    ...actor.establishments.map((p) => p.regionId),
    ...actor.grants.flatMap((g) => (g.scope.kind === 'global' ? [] : [g.scope.regionId])),
  ]),
];
