import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import type { IdentityCache } from '../../sessions/identity-cache';
import type { SessionIndex } from '../../sessions/session-index';
import { notFound } from '../../../shared/errors';
import { idField, outsideScope } from './schema';

const schema = z.object({ id: idField });

type Deps = CommandDeps & {
  identities: Pick<IdentityCache, 'refresh'>;
  sessions: Pick<SessionIndex, 'endIn'>;
};

/**
 * Deactivates (or reactivates) an establishment. Inactive, it is no longer offered at login or
 * in the switch (listAssigned keeps active ones only). After the commit the open sessions
 * working in it end, each leaving the reason and the establishment's name for its holder's
 * login page, and the cached identities of its users are rewritten without it (`identify` ends
 * a session the first step missed at its next request).
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
      if (!active)
        for (const userId of result.userIds)
          await deps.sessions.endIn(userId, result.id, {
            reason: 'establishment_deactivated',
            establishmentName: result.name,
          });
      await deps.identities.refresh(...result.userIds);
    },
  });

export const deactivateEstablishment = setActive(false);
export const activateEstablishment = setActive(true);
