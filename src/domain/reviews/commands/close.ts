import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { conflict, idField } from '../../../shared/validation';
import { formatIsoDate, isoDateInZone } from '../../../shared/time';
import type { AdminEvent } from '../../../storage/audit/admin-events';
import type { IdentityCache } from '../../sessions/identity-cache';
import { SYSTEM_ACTOR } from '../../audit/system';

type Deps = CommandDeps & { identities: Pick<IdentityCache, 'refresh'> };

/**
 * Closes a review once its last day has passed (action `reviews.close`: a network-wide admin,
 * or the application itself the day after, src/domain/reviews/due.ts). Every active person
 * without a decision is recorded as "sin revisar"; if the review says so, their roles other than
 * staff are removed — one `reviews.suspendRoles` row per person, in the same transaction — and
 * their sessions lose them at the next request. The row of the close counts both.
 */
export const closeReview = defineCommand({
  action: 'reviews.close',
  schema: z.object({ reviewId: idField('Recargue la página e intente de nuevo.') }),
  async load(deps: Deps, input, transaction) {
    const review = await deps.repos.accessReviews.lock(input.reviewId, transaction);
    if (!review) throw notFound();
    return {
      target: review,
      policyTarget: undefined,
      audit: {
        targetType: 'access_review',
        targetId: String(review.id),
        details: { review: review.title },
      },
    };
  },
  async apply(deps, { target: review, transaction, actor, now, meta }) {
    if (review.closedAt) throw conflict(`La revisión «${review.title}» ya se cerró.`);
    if (isoDateInZone(now) <= review.lastDay)
      throw conflict(
        `La revisión sigue abierta hasta el ${formatIsoDate(review.lastDay)} inclusive: podrá cerrarla desde el día siguiente.`,
      );
    const closed = await deps.repos.accessReviews.close(
      {
        reviewId: review.id,
        closedAt: now,
        closedByUsername: actor.username || SYSTEM_ACTOR,
        suspend: review.suspendUnreviewed,
      },
      transaction,
    );
    const rows: AdminEvent[] = closed.suspended.map((s) => ({
      occurredAt: now,
      actorUserId: actor.userId || null,
      actorUsername: actor.username || SYSTEM_ACTOR,
      action: 'reviews.suspendRoles',
      outcome: 'success',
      targetType: 'user',
      targetId: String(s.userId),
      targetUserId: s.userId,
      details: { reviewId: review.id, review: review.title, suspendedRoles: s.roles },
      establishmentId: actor.establishmentId,
      regionIds: s.regionIds,
      ip: meta.ip,
      userAgent: meta.userAgent,
    }));
    if (rows.length) await deps.repos.adminEvents.appendMany(rows, transaction);
    return {
      result: {
        unreviewed: closed.unreviewed,
        suspendedUserIds: closed.suspended.map((s) => s.userId),
      },
      audit: {
        details: {
          review: review.title,
          lastDay: review.lastDay,
          unreviewed: closed.unreviewed,
          suspended: closed.suspended.length,
        },
      },
    };
  },
  async after(deps, { suspendedUserIds }) {
    for (const id of suspendedUserIds) await deps.identities.refresh(id);
  },
});
