import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { ValidationError, idField } from '../../../shared/validation';
import { loadUserTarget } from '../load-target';
import {
  hiddenId,
  userAudit,
  userIdField,
  type UserCommandDeps,
  outsideScope,
} from '../user-command';

const CHOOSE = 'Seleccione el establecimiento de destino.';

/**
 * "Trasladar": replaces one of the person's establishments by another in one step (a move, not
 * an addition and a removal that leave them in both, or in neither, in between). After the
 * commit the sessions working in the old one end, telling the person where they were moved.
 */
export const moveEstablishment = defineCommand({
  action: 'users.moveEstablishment',
  conceal: outsideScope,
  schema: z.object({
    userId: userIdField,
    fromEstablishmentId: hiddenId(),
    toEstablishmentId: idField(CHOOSE),
  }),
  async load(deps: UserCommandDeps, input, transaction) {
    const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
    const from = loaded.establishments.find((e) => e.id === input.fromEstablishmentId);
    if (!from) throw notFound();
    const to = await deps.repos.establishments.findById(input.toEstablishmentId, transaction);
    if (!to?.active) throw new ValidationError({ toEstablishmentId: CHOOSE });
    const place = (e: { id: number; code: string; name: string }) => ({
      id: e.id,
      code: e.code,
      name: e.name,
    });
    return {
      target: { loaded, from, to },
      policyTarget: { user: loaded.target, from, to },
      audit: {
        ...userAudit(loaded, [from.regionId, to.regionId]),
        details: { before: { establishment: place(from) }, after: { establishment: place(to) } },
      },
    };
  },
  async apply(deps: UserCommandDeps, { target: { loaded, from, to }, transaction }) {
    if (loaded.establishments.some((e) => e.id === to.id))
      throw new ValidationError({
        toEstablishmentId:
          'La persona ya trabaja en ese establecimiento: quite el otro en su lugar.',
      });
    await deps.repos.users.unassignEstablishment(loaded.user.id, from.id, transaction);
    await deps.repos.users.assignEstablishments(loaded.user.id, [to.id], transaction);
    return {
      result: { userId: loaded.user.id, from: from.name, fromId: from.id, to: to.name },
      audit: {},
    };
  },
  async after(deps, { userId, fromId, from, to }) {
    await deps.sessions.endIn(userId, fromId, {
      reason: 'establishment_moved',
      establishmentName: from,
      movedTo: to,
    });
    await deps.identities.refresh(userId);
  },
});
