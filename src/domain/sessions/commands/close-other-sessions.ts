import { z } from 'zod';
import { defineCommand, ownAccountAudit, type CommandDeps } from '../../../access/command';
import type { SessionIndex } from '../session-index';

export interface CloseOtherSessionsDeps extends CommandDeps {
  sessions: SessionIndex;
}

/**
 * The account holder ends every other open session of their own (other PCs, other browsers),
 * keeping the one they use (`currentSessionId`, from the server, never from the form). The
 * admin_events row commits first, then the sessions end in Redis, as every command's post-commit
 * effects do. Returns how many sessions it ends.
 */
export const closeOtherSessions = defineCommand({
  action: 'authenticated',
  audit: 'me.closeOtherSessions',
  schema: z.object({ currentSessionId: z.string().min(1) }),
  async load(deps: CloseOtherSessionsDeps, input, _transaction, actor) {
    const open = await deps.sessions.list(actor.userId);
    return {
      target: open.filter((sid) => sid !== input.currentSessionId).length,
      policyTarget: undefined,
      audit: ownAccountAudit(actor),
    };
  },
  async apply(_deps, { target: others, input, actor }) {
    return {
      result: { others, userId: actor.userId, keep: input.currentSessionId },
      audit: { details: { sessions: others } },
    };
  },
  async after(deps, { userId, keep }) {
    await deps.sessions.endOthers(userId, keep, { reason: 'closed_elsewhere' });
  },
});
