import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { loadLockedUser, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

/**
 * Enables a disabled account: the person can log in again. Its inactivity counts from now (an
 * account disabled for inactivity would otherwise be disabled again by the next daily run).
 */
export const enableUser = defineCommand({
  action: 'users.enable',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField }),
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { target: { user }, now, transaction }) {
    if (user.status !== 'active')
      await deps.repos.users.update(
        user.id,
        { status: 'active', inactivityResetAt: now },
        transaction,
      );
    return {
      result: { userId: user.id },
      audit: { details: { before: { status: user.status }, after: { status: 'active' } } },
    };
  },
  after: (deps, { userId }) => deps.identities.refresh(userId),
});
