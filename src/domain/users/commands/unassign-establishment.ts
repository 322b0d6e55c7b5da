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
 * Removes an establishment from the user. After the commit the sessions working in it end,
 * leaving the reason for the person's login page; sessions in other establishments go on.
 */
export const unassignEstablishment = defineCommand({
  action: 'users.unassignEstablishment',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField, establishmentId: hiddenId() }),
  async load(deps: UserCommandDeps, input, transaction) {
    const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
    // Only one of this user's establishments: a tampered id names nothing to remove.
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
