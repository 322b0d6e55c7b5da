import type { RecordLoginEvent } from '../../audit/recorder';
import type { Actor } from '../../../access/actor';
import { named, type CommandMeta } from '../../../access/command';

/**
 * Records the end of the actor's session (login_events 'logout'). The route then destroys the
 * server-side session: the row is written first, so no logout goes unrecorded.
 *
 * Not a `defineCommand`: a logout is a login-history event (login_events, method `logout`), not
 * an administrative change (admin_events), and it has no target to load or lock.
 */
export const logout = (deps: { record: RecordLoginEvent }) =>
  named('authenticated', 'logout', async (actor: Actor, _input: unknown, meta: CommandMeta) => {
    await deps.record({
      ...meta,
      userId: actor.userId,
      username: actor.username,
      method: 'logout',
      outcome: 'success',
      reason: 'logout',
      establishmentId: actor.establishmentId,
    });
  });
