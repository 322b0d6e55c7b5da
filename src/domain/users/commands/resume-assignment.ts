import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { loadUserTarget } from '../load-target';
import {
  hiddenId,
  userAudit,
  userIdField,
  type UserCommandDeps,
  outsideScope,
} from '../user-command';

/**
 * "Reactivar": an assignment paused for not being chosen at login for months is offered again
 * (it counts as chosen now).
 */
export const resumeAssignment = defineCommand({
  action: 'users.resumeAssignment',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField, establishmentId: hiddenId() }),
  async load(deps: UserCommandDeps, input, transaction) {
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
  },
  async apply(deps: UserCommandDeps, { target: { loaded, place }, now, transaction }) {
    await deps.repos.users.markAssignmentChosen(loaded.user.id, place.id, now, transaction);
    return { result: { userId: loaded.user.id, name: place.name }, audit: {} };
  },
});
