import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import {
  hiddenId,
  loadLockedUser,
  outsideScope,
  userAudit,
  userIdField,
  type UserCommandDeps,
} from '../user-command';
import { loadUserTarget } from '../load-target';
import { validityEnd, validUntilField } from '../validity';

/**
 * Sets until when the account is valid (temporary staff: residents, interns, contract workers),
 * or removes the end. From the end of that day in Asunción the login is refused and sessions end
 * (the expiry is audited once by the system, src/domain/users/expiry.ts).
 */
export const setAccountValidity = defineCommand({
  action: 'users.setValidity',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField, validUntil: validUntilField }),
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { input, target: { user }, now, transaction }) {
    const validUntil = validityEnd(input.validUntil, now, 'validUntil');
    await deps.repos.users.setValidity(user.id, validUntil, transaction);
    return {
      result: { userId: user.id, validUntil },
      audit: {
        details: {
          before: { validUntil: user.validUntil?.toISOString() ?? null },
          after: { validUntil: validUntil?.toISOString() ?? null },
        },
      },
    };
  },
  after: (deps, { userId }) => deps.identities.refresh(userId),
});

/** Sets until when one establishment assignment is valid (a rotation), or removes the end. */
export const setAssignmentValidity = defineCommand({
  action: 'users.setAssignmentValidity',
  conceal: outsideScope,
  schema: z.object({
    userId: userIdField,
    establishmentId: hiddenId(),
    validUntil: validUntilField,
  }),
  async load(deps: UserCommandDeps, input, transaction) {
    const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
    const place = loaded.establishments.find((e) => e.id === input.establishmentId);
    if (!place) throw notFound();
    return {
      target: { loaded, place },
      policyTarget: { user: loaded.target, place },
      audit: {
        ...userAudit(loaded),
        details: { establishment: { id: place.id, code: place.code, name: place.name } },
      },
    };
  },
  async apply(deps: UserCommandDeps, { input, target: { loaded, place }, now, transaction }) {
    const validUntil = validityEnd(input.validUntil, now, 'validUntil');
    const before = await deps.repos.users.setAssignmentValidity(
      loaded.user.id,
      place.id,
      validUntil,
      transaction,
    );
    return {
      result: { userId: loaded.user.id, name: place.name, validUntil },
      audit: {
        details: {
          establishment: { id: place.id, code: place.code, name: place.name },
          before: { validUntil: before?.toISOString() ?? null },
          after: { validUntil: validUntil?.toISOString() ?? null },
        },
      },
    };
  },
  after: (deps, { userId }) => deps.identities.refresh(userId),
});
