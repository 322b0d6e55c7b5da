import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import type { IdentityCache } from '../../sessions/identity-cache';
import { notFound } from '../../../shared/errors';
import { idField, outsideScope } from './schema';

const schema = z.object({ id: idField });

type Deps = CommandDeps & { identities: Pick<IdentityCache, 'refresh'> };

/**
 * Deactivates (or reactivates) an establishment. Inactive, it is no longer offered at login or
 * in the switch (listAssigned keeps active ones only). After the commit the cached identities of
 * its users are rewritten without it, and `identify` ends every open session working in it at
 * its next request: no session id needs to be hunted down here.
 */
const setActive = (active: boolean) =>
  defineCommand({
    action: active ? 'establishments.activate' : 'establishments.deactivate',
    conceal: outsideScope,
    schema,
    async load(deps: Deps, input, transaction) {
      const current = await deps.repos.establishments.lockById(input.id, transaction);
      if (!current) throw notFound();
      return {
        target: current,
        policyTarget: { place: { id: current.id, regionId: current.regionId } },
        audit: {
          targetType: 'establishment',
          targetId: String(current.id),
          details: { code: current.code },
          regionIds: [current.regionId],
        },
      };
    },
    async apply(deps, { target: current, transaction }) {
      const userIds = await deps.repos.users.idsAssignedTo([current.id], transaction);
      if (current.active !== active)
        await deps.repos.establishments.update(current.id, { active }, transaction);
      return {
        result: { ...current, active, userIds },
        audit: {
          details: {
            code: current.code,
            before: { active: current.active },
            after: { active },
            assignedUsers: userIds.length,
          },
        },
      };
    },
    async after(deps, result) {
      await deps.identities.refresh(...result.userIds);
    },
  });

export const deactivateEstablishment = setActive(false);
export const activateEstablishment = setActive(true);
