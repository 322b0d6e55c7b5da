import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { loadLockedUser, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

/** Ends the user's exemption from the forced e-ID login now. */
export const clearExemption = defineCommand({
  action: 'users.exempt',
  conceal: outsideScope,
  audit: 'users.clearExemption',
  schema: z.object({ userId: userIdField }),
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { target: { user }, transaction }) {
    await deps.repos.users.update(
      user.id,
      { eidExemptUntil: null, eidExemptReason: null },
      transaction,
    );
    return {
      result: { userId: user.id },
      audit: {
        details: {
          before: {
            until: user.eidExemptUntil?.toISOString() ?? null,
            reason: user.eidExemptReason,
          },
          after: { until: null, reason: null },
        },
      },
    };
  },
});
