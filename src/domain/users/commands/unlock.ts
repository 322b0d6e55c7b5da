import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { loadLockedUser, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

/**
 * Clears the brute-force lockout (a Redis counter) so the person can try again at once. The
 * audit row commits first; the counter is cleared after, so no unlock goes unrecorded.
 */
export const unlockUser = defineCommand({
  action: 'users.unlock',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField }),
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { target: { user } }) {
    const wasLocked = await deps.lockout.isLocked(user.username);
    return { result: { username: user.username }, audit: { details: { wasLocked } } };
  },
  after: (deps, { username }) => deps.lockout.reset(username),
});
