import type { RecordLoginEvent } from '../../audit/recorder';
import type { Actor } from '../../../access/actor';
import { named, type CommandMeta } from '../../../access/command';
import type { SsoRegistry } from '../sso';

/**
 * Records the end of the actor's session (login_events 'logout') and ends the sign-ins of the
 * HIS modules it opened (`ssoId`: their tokens revoked, each told by a back-channel logout). The
 * route then destroys the server-side session: the row is written first, so no logout goes
 * unrecorded. Both logouts — the HIS's own and the one a module asks for — are this command.
 *
 * Not a `defineCommand`: a logout is a login-history event (login_events, method `logout`), not
 * an administrative change (admin_events), and it has no target to load or lock.
 */
export const logout = (deps: { record: RecordLoginEvent; sso: Pick<SsoRegistry, 'end'> }) =>
  named(
    'authenticated',
    'logout',
    async (actor: Actor, input: { ssoId?: string }, meta: CommandMeta) => {
      await deps.record({
        ...meta,
        userId: actor.userId,
        username: actor.username,
        method: 'logout',
        outcome: 'success',
        reason: 'logout',
        establishmentId: actor.establishmentId,
      });
      await deps.sso.end(input.ssoId);
    },
  );
