import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import {
  hiddenId,
  userIdField,
  type UserCommandDeps,
  loadUserAssignment,
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
  load: loadUserAssignment,
  async apply(deps: UserCommandDeps, { target: { loaded, place }, now, transaction }) {
    await deps.repos.users.markAssignmentChosen(loaded.user.id, place.id, now, transaction);
    return { result: { userId: loaded.user.id, name: place.name }, audit: {} };
  },
});
