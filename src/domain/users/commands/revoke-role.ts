import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { loadUserTarget } from '../load-target';
import { scopeValue } from '../scope-value';
import {
  hiddenId,
  userAudit,
  userIdField,
  type UserCommandDeps,
  outsideScope,
} from '../user-command';

/** Removes one of the user's role grants; their open sessions lose it at their next request. */
export const revokeRole = defineCommand({
  action: 'users.revokeRole',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField, grantId: hiddenId() }),
  async load(deps: UserCommandDeps, input, transaction) {
    const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
    // Only a grant of this user: another user's grant id names nothing here.
    const grant = loaded.target.grants.find((g) => g.id === input.grantId);
    if (!grant) throw notFound();
    return {
      target: { loaded, grant },
      policyTarget: { user: loaded.target, grant },
      audit: {
        ...userAudit(loaded, grant.scope.kind === 'global' ? [] : [grant.scope.regionId]),
        details: { grant: { id: grant.id, role: grant.role, scope: scopeValue(grant.scope) } },
      },
    };
  },
  async apply(deps: UserCommandDeps, { target: { loaded, grant }, transaction }) {
    await deps.repos.users.removeGrant(loaded.user.id, grant.id, transaction);
    return { result: { userId: loaded.user.id }, audit: {} };
  },
  after: (deps, { userId }) => deps.identities.refresh(userId),
});
