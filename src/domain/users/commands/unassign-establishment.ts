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
 * Removes an establishment from the user. After the commit the sessions working in it end,
 * leaving the reason for the person's login page; sessions in other establishments go on.
 */
export const unassignEstablishment = defineCommand({
  action: 'users.unassignEstablishment',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField, establishmentId: hiddenId() }),
  load: loadUserAssignment,
  async apply(deps: UserCommandDeps, { target: { loaded, place }, transaction }) {
    await deps.repos.users.unassignEstablishment(loaded.user.id, place.id, transaction);
    return { result: { userId: loaded.user.id, id: place.id, name: place.name }, audit: {} };
  },
  async after(deps, { userId, id, name }) {
    await deps.sessions.endIn(userId, id, {
      reason: 'establishment_unassigned',
      establishmentName: name,
    });
    await deps.identities.refresh(userId);
  },
});
