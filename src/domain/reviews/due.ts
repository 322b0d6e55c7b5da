import type { Actor } from '../../access/actor';
import type { Repositories } from '../../storage/repositories';
import type { Clock } from '../../shared/clock';
import { isoDateInZone } from '../../shared/time';
import type { IdentityCache } from '../sessions/identity-cache';
import { SYSTEM_ACTOR } from '../audit/system';
import { closeReview } from './commands/close';

/** The application itself, closing a review whose last day has passed. */
const SYSTEM: Actor = {
  userId: 0,
  username: SYSTEM_ACTOR,
  grants: [{ role: 'admin', scope: { kind: 'global' } }],
  establishmentId: null,
  establishments: [],
  system: true,
};

/**
 * Closes the open review once its last day (in Asunción) has passed, as the system: what the
 * daily run of every instance asks (src/main.ts, one instance per day by a Redis lock). Null
 * when nothing was due.
 */
export async function closeDueReview(deps: {
  repos: Repositories;
  clock: Clock;
  identities: Pick<IdentityCache, 'refresh'>;
}): Promise<{ reviewId: number; unreviewed: number; suspended: number } | null> {
  const review = await deps.repos.accessReviews.current();
  if (!review || isoDateInZone(deps.clock.now()) <= review.lastDay) return null;
  const done = await closeReview(deps)(
    SYSTEM,
    { reviewId: review.id },
    { ip: null, userAgent: null },
  );
  return {
    reviewId: review.id,
    unreviewed: done.unreviewed,
    suspended: done.suspendedUserIds.length,
  };
}
