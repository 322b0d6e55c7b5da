import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { hashPassword } from '../../passwords/hashing';
import { generateOneTimePassword } from '../../passwords/one-time';
import { loadLockedUser, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

/**
 * Replaces the password with a one-time password the administrator hands over, which must be
 * changed at first use. Once committed the user's sessions end (whoever knew the old password
 * is out) and the lockout is cleared (the person will try the new one right away). The password
 * is returned once, to be shown once; neither it nor its hash is ever audited.
 */
export const resetPassword = defineCommand({
  action: 'users.resetPassword',
  conceal: outsideScope,
  schema: z.object({ userId: userIdField }),
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { target: { user }, transaction }) {
    const password = generateOneTimePassword();
    await deps.repos.users.update(
      user.id,
      { passwordHash: await hashPassword(password), mustChangePassword: true },
      transaction,
    );
    return {
      result: { userId: user.id, username: user.username, fullName: user.fullName, password },
      audit: {
        details: {
          hadPassword: user.passwordHash !== null,
          before: { mustChangePassword: user.mustChangePassword },
          after: { mustChangePassword: true },
        },
      },
    };
  },
  async after(deps, { userId, username }) {
    await deps.sessions.endAll(userId, { reason: 'password_reset' });
    await deps.lockout.reset(username);
    await deps.identities.refresh(userId);
  },
});
