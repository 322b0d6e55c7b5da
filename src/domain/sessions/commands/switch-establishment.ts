import { z } from 'zod';
import type { Repositories } from '../../../storage/repositories';
import type { RecordLoginEvent } from '../../audit/recorder';
import type { Clock } from '../../../shared/clock';
import type { Actor } from '../../../access/actor';
import { named, type CommandMeta } from '../../../access/command';
import { can } from '../../../access/policies';
import { idField, validate } from '../../../shared/validation';
import { AppError } from '../../../shared/errors';

const schema = z.object({
  establishmentId: idField('Seleccione uno de sus establecimientos asignados.'),
});

/**
 * Moves the actor's session to another of their assigned establishments: the user's last
 * establishment and the login-history row ('switch') in one transaction. A refused switch is
 * recorded too. Returns the establishment, or null when it is the current one.
 *
 * Not a `defineCommand`: the switch is a login-history event (login_events, method `switch`,
 * reasons `establishment_switch` / `switch_not_assigned`), which `defineCommand` does not write.
 */
export const switchEstablishment = (deps: {
  repos: Repositories;
  record: RecordLoginEvent;
  clock: Clock;
}) =>
  named(
    'sessions.switchEstablishment',
    'switch',
    async (actor: Actor, input: unknown, meta: CommandMeta) => {
      const { establishmentId } = validate(schema, input);
      const target = await deps.repos.establishments.findById(establishmentId);
      const base = {
        ...meta,
        userId: actor.userId,
        username: actor.username,
        method: 'switch' as const,
      };
      if (!target?.active || !can(actor, 'sessions.switchEstablishment', target)) {
        await deps.record({
          ...base,
          outcome: 'failure',
          reason: 'switch_not_assigned',
          establishmentId: actor.establishmentId,
        });
        throw new AppError('forbidden', 403, 'Seleccione uno de sus establecimientos asignados.');
      }
      if (target.id === actor.establishmentId) return null;
      await deps.repos.transaction(async (transaction) => {
        await deps.repos.users.recordActivity(
          actor.userId,
          { lastEstablishmentId: target.id },
          transaction,
        );
        // Working there again: the assignment is in use (it does not pause).
        await deps.repos.users.markAssignmentChosen(
          actor.userId,
          target.id,
          deps.clock.now(),
          transaction,
        );
        await deps.record(
          {
            ...base,
            outcome: 'success',
            reason: 'establishment_switch',
            establishmentId: target.id,
          },
          transaction,
        );
      });
      return target;
    },
  );
