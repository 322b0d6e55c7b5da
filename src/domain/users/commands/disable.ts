import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { loadLockedUser, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

/**
 * Disables the account. Once committed every open session of the user is destroyed at once, and
 * the cached identity says "disabled" so a session missed by the index ends at its next request.
 */
export const disableUser = defineCommand({
  action: 'users.disable',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField }),
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { target: { user }, transaction }) {
    if (user.status !== 'disabled')
      await deps.repos.users.update(user.id, { status: 'disabled' }, transaction);
    return {
      result: { userId: user.id },
      audit: { details: { before: { status: user.status }, after: { status: 'disabled' } } },
    };
  },
  async after(deps, { userId }) {
    await deps.sessions.endAll(userId, { reason: 'disabled' });
    await deps.identities.refresh(userId);
  },
});
