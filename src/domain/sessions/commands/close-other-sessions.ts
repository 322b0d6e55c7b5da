import type { Repositories } from '../../../storage/repositories';
import type { Clock } from '../../../shared/clock';
import type { Actor } from '../../../access/actor';
import type { CommandMeta } from '../../../access/command';
import type { SessionIndex } from '../session-index';
import { selfEvent } from '../../audit/self-event';

export interface CloseOtherSessionsDeps {
  repos: Repositories;
  clock: Clock;
  sessions: SessionIndex;
}

/**
 * The account holder ends every other open session of their own (other PCs, other browsers),
 * keeping the one they use. The admin_events row commits first, then the sessions end in Redis,
 * as every command's post-commit effects do. Returns how many sessions were ended.
 */
export const closeOtherSessions =
  (deps: CloseOtherSessionsDeps) =>
  async (actor: Actor, input: { currentSessionId: string }, meta: CommandMeta): Promise<number> => {
    const open = await deps.sessions.list(actor.userId);
    const others = open.filter((sid) => sid !== input.currentSessionId).length;
    const now = deps.clock.now();
    await deps.repos.transaction((tx) =>
      deps.repos.adminEvents.append(
        selfEvent(actor, 'me.closeOtherSessions', 'success', { sessions: others }, now, meta),
        tx,
      ),
    );
    return deps.sessions.endOthers(actor.userId, input.currentSessionId);
  };

export type CloseOtherSessions = ReturnType<typeof closeOtherSessions>;
