import { idField } from '../../shared/validation';
import type { Actor } from '../../access/actor';
import { managesUser, type UserTarget } from '../../access/policies/users';
import type { Transaction } from 'sequelize';
import type { AuditEntry, CommandDeps } from '../../access/command';
import type { IdentityCache } from '../sessions/identity-cache';
import type { SessionIndex } from '../sessions/session-index';
import type { Lockout } from '../passwords/lockout';
import { loadUserTarget, type LoadedUser } from './load-target';
import { notFound } from '../../shared/errors';

/** What the commands on an existing user need beyond the repositories and the clock. */
export interface UserCommandDeps extends CommandDeps {
  /** Rewrites the user's cached identity after the commit: their sessions see it next request. */
  identities: Pick<IdentityCache, 'refresh'>;
  sessions: SessionIndex;
  lockout: Lockout;
}

/** What a hidden field the page filled in says when it comes back altered or stale. */
export const RELOAD = 'Recargue la página e intente de nuevo.';

/** An id the page put in a hidden field (a row's "Quitar"). */
export const hiddenId = () => idField(RELOAD);

/** The user the change is about (from the URL, never from the form). */
export const userIdField = hiddenId();

/** The audit fields every change to a user carries: who it was done to, and their regiones. */
export const userAudit = (loaded: LoadedUser, regionIds: number[] = []): Partial<AuditEntry> => ({
  targetType: 'user',
  targetId: String(loaded.user.id),
  targetUserId: loaded.user.id,
  regionIds: [...new Set([...loaded.regionIds, ...regionIds])],
});

/** `load` of a change to the user as a whole: the user, locked, is the rule's target. */
export async function loadLockedUser(
  deps: UserCommandDeps,
  input: { userId: number },
  transaction: Transaction,
) {
  const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
  return { target: loaded, policyTarget: loaded.target, audit: userAudit(loaded) };
}

/**
 * `load` of a change to one of the user's establishment assignments (remove, its validity,
 * "Reactivar"): the user, locked, and the assignment, named in the audit row. An establishment
 * the user is not assigned to (a tampered id) names nothing: the not-found error.
 */
export async function loadUserAssignment(
  deps: UserCommandDeps,
  input: { userId: number; establishmentId: number },
  transaction: Transaction,
) {
  const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
  const place = loaded.establishments.find((e) => e.id === input.establishmentId);
  if (!place) throw notFound();
  return {
    target: { loaded, place },
    policyTarget: { user: loaded.target, place },
    audit: {
      ...userAudit(loaded),
      details: { establishment: { id: place.id, code: place.code, name: place.name } },
    },
  };
}

/**
 * `conceal` of the commands on a user: a person the actor does not manage at all (no place in
 * their scope) is answered like an unknown id, so an out-of-scope id tells nothing.
 */
export const outsideScope = (actor: Actor, target: UserTarget | { user: UserTarget }): boolean =>
  !managesUser(actor, 'user' in target ? target.user : target);
