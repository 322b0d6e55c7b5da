import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { loadUserTarget } from '../load-target';
import {
  RELOAD,
  userAudit,
  userIdField,
  type UserCommandDeps,
  outsideScope,
} from '../user-command';

/**
 * Ends one of the user's sessions, named by its handle (never its id). Only the user's own
 * sessions are looked at, so a handle of anyone else's session names nothing.
 */
export const endSession = defineCommand({
  action: 'users.endSessions',
  conceal: outsideScope,
  audit: 'users.endSession',
  schema: z.object({
    userId: userIdField,
    session: z.string({ error: RELOAD }).regex(/^[\w-]{22}$/, RELOAD),
  }),
  async load(deps: UserCommandDeps, input, transaction) {
    const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
    const session = (await deps.sessions.summaries(loaded.user.id)).find(
      (s) => s.handle === input.session,
    );
    if (!session) throw notFound();
    return {
      target: { userId: loaded.user.id, handle: session.handle },
      policyTarget: loaded.target,
      audit: {
        ...userAudit(loaded),
        details: {
          session: {
            handle: session.handle,
            establishmentId: session.establishmentId,
            ip: session.ip,
            startedAt: new Date(session.createdAt).toISOString(),
          },
        },
      },
    };
  },
  async apply(_deps: UserCommandDeps, { target }) {
    return { result: target, audit: {} };
  },
  async after(deps, { userId, handle }) {
    await deps.sessions.end(userId, handle, { reason: 'admin_ended' });
  },
});
