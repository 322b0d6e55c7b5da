import type { Request, RequestHandler } from 'express';
import { destroySession } from './ops';
import type { Clock } from '../../shared/clock';
import { eidBadgeView, type BadgePolicy } from '../../domain/badges/eid-badge';
import type { IdentityCache } from '../../domain/sessions/identity-cache';
import type { ClosedSessions } from '../../domain/sessions/closed-sessions';
import { hasExpired } from '../../domain/users/validity';
import { actorFrom, type Identity, type IdentityPlace } from '../../access/identity';
import {
  mustAcceptAgreement,
  type AgreementVersionCache,
} from '../../domain/agreements/current-version';
import type { Prefetched } from './middleware';

/** Paths a user with a one-time password may still reach before changing it. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['/me/password', '/me/agreement', '/logout']);
/** Paths a user may reach before accepting the confidentiality agreement in force. */
const ALLOWED_BEFORE_AGREEMENT = new Set(['/me/agreement', '/logout']);

/** Where an open session's identity is read, and why a session that no longer holds is ended. */
export interface SessionIdentitySources {
  identities: IdentityCache;
  closedSessions: ClosedSessions;
  /** The session store, which read the identity along with the session (one round trip). */
  session: { store: { takePrefetched(sid: string): Prefetched | undefined } };
  /** The confidentiality agreement's version in force. */
  agreementVersion: Pick<AgreementVersionCache, 'get'>;
  /** What "today" is for the account's and the assignments' end dates. */
  clock: Clock;
}

/**
 * The cached identity (one Redis read, no PostgreSQL) and current establishment of the request's
 * open session. Null without one; a session whose user was disabled meanwhile, or whose
 * establishment was deactivated or unassigned, is destroyed (leaving why, for the login page)
 * and null returned. The commands that cause these end such sessions themselves; this catches
 * the ones a request reached first.
 */
export async function sessionIdentity(
  req: Request,
  { identities, closedSessions, session, clock, agreementVersion }: SessionIdentitySources,
): Promise<{
  identity: Identity;
  establishment: IdentityPlace;
  /** The person has not accepted the confidentiality agreement in force. */
  agreementPending: boolean;
} | null> {
  const auth = req.session?.auth;
  if (!auth) return null;
  // Read with the session by the store; a miss (or a session not read this request) asks the cache.
  const prefetched = session.store.takePrefetched(req.sessionID);
  const [identity, agreement] = await Promise.all([
    typeof prefetched?.identity === 'string'
      ? (JSON.parse(prefetched.identity) as Identity)
      : identities.get(auth.userId),
    agreementVersion.get(prefetched?.agreement),
  ]);
  const now = clock.now();
  // Ended assignments are not places the person works in any more (nor scopes they act from).
  const current = identity && {
    ...identity,
    establishments: identity.establishments.filter((e) => !hasExpired(e.validUntil, now)),
  };
  const establishment = current?.establishments.find((e) => e.id === auth.establishmentId);
  if (
    current &&
    current.status === 'active' &&
    !hasExpired(current.validUntil, now) &&
    establishment
  )
    return {
      identity: current,
      establishment,
      agreementPending: mustAcceptAgreement(current.agreementVersion, agreement),
    };
  if (identity) {
    const ended = identity.establishments.find((e) => e.id === auth.establishmentId);
    await closedSessions.mark(
      req.sessionID,
      identity.status !== 'active'
        ? { reason: 'disabled' }
        : hasExpired(identity.validUntil, now)
          ? { reason: 'account_expired' }
          : ended
            ? { reason: 'assignment_expired', establishmentName: ended.name }
            : { reason: 'establishment_unavailable' },
    );
  }
  await destroySession(req);
  return null;
}

/**
 * Turns an open session into the request's actor: reads the cached identity (one Redis key; no
 * PostgreSQL), and ends the session of a user disabled meanwhile or whose establishment was
 * deactivated or unassigned. Puts the user, establishment, badge and actor in `res.locals`.
 */
export function identify(
  clock: Clock,
  badge: BadgePolicy,
  sources: SessionIdentitySources,
): RequestHandler {
  return async (req, res, next) => {
    const auth = req.session?.auth;
    if (!auth) return next();
    const opened = await sessionIdentity(req, sources);
    if (!opened) {
      if (req.method === 'GET') return res.redirect(303, '/login');
      return next();
    }
    const { identity, establishment, agreementPending } = opened;
    // The confidentiality agreement first (Ley 7593), then a one-time password's change.
    if (agreementPending && !ALLOWED_BEFORE_AGREEMENT.has(req.path))
      return res.redirect(303, '/me/agreement');
    if (identity.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(req.path))
      return res.redirect(303, '/me/password');
    res.locals.agreementPending = agreementPending;
    res.locals.user = identity;
    res.locals.establishment = establishment;
    res.locals.auth = auth;
    res.locals.actor = actorFrom(identity, auth.establishmentId);
    res.locals.badge = eidBadgeView(
      identity.lastEidLoginAt ? new Date(identity.lastEidLoginAt) : null,
      clock.now(),
      badge,
    );
    next();
  };
}
