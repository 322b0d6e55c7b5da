import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { conflict, idField } from '../../../shared/validation';
import { loadUserTarget } from '../../users/load-target';
import { outsideScope, userAudit } from '../../users/user-command';

const RELOAD = 'Recargue la página e intente de nuevo.';

/**
 * Confirms a person's access in the open review (action `reviews.confirm`): recorded as
 * "confirmado", or "modificado" when an administrator changed their access (a users.* command)
 * since the review opened — "Cambiar" on the review leads to the user's page and its commands,
 * and the confirmation afterwards records that access was corrected. The decision keeps the
 * person's access as it is now. Confirming again replaces the earlier decision.
 */
export const confirmReview = defineCommand({
  action: 'reviews.confirm',
  conceal: outsideScope,
  schema: z.object({ reviewId: idField(RELOAD), userId: idField(RELOAD) }),
  async load(deps: CommandDeps, input, transaction) {
    const review = await deps.repos.accessReviews.lock(input.reviewId, transaction);
    if (!review) throw notFound();
    const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
    return {
      target: { review, loaded },
      policyTarget: loaded.target,
      audit: { ...userAudit(loaded), details: { reviewId: review.id, review: review.title } },
    };
  },
  async apply(deps, { target: { review, loaded }, transaction, actor, now }) {
    if (review.closedAt) throw conflict(`La revisión «${review.title}» ya se cerró.`);
    if (loaded.user.status !== 'active')
      throw conflict('La cuenta está deshabilitada: no tiene accesos que confirmar.');
    const changed = await deps.repos.accessReviews.changedSince(
      loaded.user.id,
      review.openedAt,
      transaction,
    );
    const decision = changed ? 'changed' : 'confirmed';
    await deps.repos.accessReviews.decide(
      {
        reviewId: review.id,
        userId: loaded.user.id,
        decision,
        decidedAt: now,
        decidedByUserId: actor.userId || null,
        decidedByUsername: actor.username,
        regionIds: loaded.regionIds,
      },
      transaction,
    );
    return {
      result: { decision, userId: loaded.user.id },
      audit: {
        details: {
          reviewId: review.id,
          review: review.title,
          decision,
          establishments: loaded.establishments.map((e) => e.name),
        },
      },
    };
  },
});
