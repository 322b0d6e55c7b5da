import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import type { IdentityCache } from '../../sessions/identity-cache';
import { notFound } from '../../../shared/errors';
import { ValidationError } from '../../../shared/validation';
import { establishmentName, idField, regionIdField, outsideScope } from './schema';

const schema = z.object({ id: idField, name: establishmentName, regionId: regionIdField });

type Deps = CommandDeps & { identities: Pick<IdentityCache, 'refresh'> };

/**
 * Renames an establishment or moves it to another región. The admin's scope must reach it where
 * it is and where it goes. Its users' cached identities carry its name and región: refreshed.
 */
export const updateEstablishment = defineCommand({
  action: 'establishments.update',
  conceal: outsideScope,
  schema,
  async load(deps: Deps, input, transaction) {
    const { establishments } = deps.repos;
    const current = await establishments.lockById(input.id, transaction);
    if (!current) throw notFound();
    const [from, to] = await Promise.all([
      establishments.regions.findById(current.regionId, transaction),
      establishments.regions.findById(input.regionId, transaction),
    ]);
    if (!to) throw new ValidationError({ regionId: 'Seleccione una región sanitaria existente.' });
    return {
      target: { current, from: from!, to },
      policyTarget: {
        place: { id: current.id, regionId: current.regionId },
        moveTo: { id: current.id, regionId: to.id },
      },
      audit: {
        targetType: 'establishment',
        targetId: String(current.id),
        details: { code: current.code, name: input.name, region: to.name },
        regionIds: [...new Set([current.regionId, to.id])],
      },
    };
  },
  async apply(deps, { input, target: { current, from, to }, transaction }) {
    await deps.repos.establishments.update(
      current.id,
      { name: input.name, regionId: to.id },
      transaction,
    );
    const userIds = await deps.repos.users.idsAssignedTo([current.id], transaction);
    return {
      result: { ...current, name: input.name, regionId: to.id, userIds },
      audit: {
        details: {
          code: current.code,
          before: { name: current.name, region: from.name },
          after: { name: input.name, region: to.name },
        },
      },
    };
  },
  async after(deps, result) {
    await deps.identities.refresh(...result.userIds);
  },
});
