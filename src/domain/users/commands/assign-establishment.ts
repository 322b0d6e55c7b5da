import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { ValidationError, idField } from '../../../shared/validation';
import { loadUserTarget } from '../load-target';
import { userAudit, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

const CHOOSE = 'Seleccione un establecimiento activo de la lista.';

/** Assigns an establishment: the person can choose it at their next login or switch to it. */
export const assignEstablishment = defineCommand({
  action: 'users.assignEstablishment',
  conceal: outsideScope,
  schema: z.object({
    userId: userIdField,
    establishmentId: idField(CHOOSE),
  }),
  async load(deps: UserCommandDeps, input, transaction) {
    const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
    const place = await deps.repos.establishments.findById(input.establishmentId, transaction);
    if (!place?.active) throw new ValidationError({ establishmentId: CHOOSE });
    return {
      target: { loaded, place },
      policyTarget: { user: loaded.target, place },
      audit: {
        ...userAudit(loaded, [place.regionId]),
        details: { establishment: { id: place.id, code: place.code, name: place.name } },
      },
    };
  },
  async apply(deps: UserCommandDeps, { target: { loaded, place }, transaction }) {
    if (loaded.establishments.some((e) => e.id === place.id))
      throw new ValidationError({
        establishmentId: 'Este establecimiento ya está asignado a la persona.',
      });
    await deps.repos.users.assignEstablishments(loaded.user.id, [place.id], transaction);
    return { result: { userId: loaded.user.id, name: place.name }, audit: {} };
  },
  after: (deps, { userId }) => deps.identities.refresh(userId),
});
