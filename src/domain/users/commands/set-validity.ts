import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import {
  hiddenId,
  loadLockedUser,
  outsideScope,
  userIdField,
  type UserCommandDeps,
  loadUserAssignment,
} from '../user-command';
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
  load: loadUserAssignment,
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
