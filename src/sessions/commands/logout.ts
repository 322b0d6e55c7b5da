import type { RecordLoginEvent } from '../../audit/recorder';
import type { Actor } from '../../access/actor';
import type { CommandMeta } from '../../access/command';

/**
 * Records the end of the actor's session (login_events 'logout'). The route then destroys the
 * server-side session: the row is written first, so no logout goes unrecorded.
 */
export const logout =
  (deps: { record: RecordLoginEvent }) =>
  async (actor: Actor, _input: unknown, meta: CommandMeta): Promise<void> => {
    await deps.record({
      ...meta,
      userId: actor.userId,
      username: actor.username,
      method: 'logout',
      outcome: 'success',
      reason: 'logout',
      establishmentId: actor.establishmentId,
    });
  };
