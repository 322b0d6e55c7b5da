import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { loadLockedUser, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

/** Ends every open session of the user ("Cerrar todas"). */
export const endAllSessions = defineCommand({
  action: 'users.endSessions',
  conceal: outsideScope,
  audit: 'users.endAllSessions',
  schema: z.object({ userId: userIdField }),
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { target: { user } }) {
    const open = (await deps.sessions.list(user.id)).length;
    return { result: { userId: user.id }, audit: { details: { all: true, open } } };
  },
  async after(deps, { userId }) {
    await deps.sessions.endAll(userId, { reason: 'admin_ended' });
  },
});
