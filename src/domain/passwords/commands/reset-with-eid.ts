import { z } from 'zod';
import type { Repositories } from '../../../storage/repositories';
import type { Clock } from '../../../shared/clock';
import type { Actor } from '../../../access/actor';
import { named, type CommandMeta } from '../../../access/command';
import type { Lockout } from '../lockout';
import type { IdentityCache } from '../../sessions/identity-cache';
import type { SessionIndex } from '../../sessions/session-index';
import { hashPassword, verifyPassword } from '../hashing';
import { AppError, forbidden } from '../../../shared/errors';
import { validate, ValidationError } from '../../../shared/validation';
import { newPasswordErrors, newPasswordFields, normalizePassword } from '../new-password';
import { selfEvent } from '../../audit/self-event';

/** How long after the e-ID login the new password may be set. */
export const RESET_WINDOW_MINUTES = 10;

const schema = z.object(newPasswordFields);

export interface ResetPasswordDeps {
  repos: Repositories;
  clock: Clock;
  lockout: Lockout;
  identities: IdentityCache;
  sessions: SessionIndex;
}

/** When the e-ID verified the person: the proof this command rests on. */
export type ResetPasswordMeta = CommandMeta & { verifiedAt: Date };

export const RESET_EXPIRED_MESSAGE = `Pasaron más de ${RESET_WINDOW_MINUTES} minutos desde que verificó su identidad. Vuelva a empezar.`;

/**
 * "¿Olvidó su contraseña?": the person the e-ID has just verified (the actor) sets a new HIS
 * password without the old one and without an administrator. The hash, the end of any one-time
 * password and the admin_events row commit together; then every open session of the account
 * ends (whoever knew the old password is out), the lockout count is cleared and the cached
 * identity refreshed. Returns how many sessions ended.
 *
 * Not a `defineCommand`: its proof is the e-ID verification of the moment (`meta.verifiedAt`),
 * not a session's policy; the new password is hashed before the transaction; and each refusal is
 * audited with its own reason (`reset_expired`, `account_disabled`).
 */
export const resetPasswordWithEid = (deps: ResetPasswordDeps) =>
  named(
    'public',
    'me.resetPasswordWithEid',
    async (actor: Actor, rawInput: unknown, meta: ResetPasswordMeta): Promise<number> => {
      const input = validate(schema, rawInput);
      const now = deps.clock.now();
      const deny = (reason: string) =>
        deps.repos.transaction((tx) =>
          deps.repos.adminEvents.append(
            selfEvent(actor, 'me.resetPasswordWithEid', 'denied', { reason }, now, meta),
            tx,
          ),
        );
      if (now.getTime() - meta.verifiedAt.getTime() > RESET_WINDOW_MINUTES * 60_000) {
        await deny('reset_expired');
        throw new AppError('password_reset_expired', 403, RESET_EXPIRED_MESSAGE);
      }
      const user = await deps.repos.users.findById(actor.userId);
      if (!user || user.status !== 'active') {
        await deny('account_disabled');
        throw forbidden();
      }
      const reused =
        input.newPassword !== '' && (await verifyPassword(user.passwordHash, input.newPassword));
      const errors = newPasswordErrors(input, user, reused);
      if (Object.keys(errors).length) throw new ValidationError(errors);

      const passwordHash = await hashPassword(normalizePassword(input.newPassword));
      const open = (await deps.sessions.list(user.id)).length;
      await deps.repos.transaction(async (tx) => {
        await deps.repos.users.lockById(user.id, tx);
        await deps.repos.users.update(user.id, { passwordHash, mustChangePassword: false }, tx);
        await deps.repos.adminEvents.append(
          selfEvent(
            actor,
            'me.resetPasswordWithEid',
            'success',
            {
              firstPassword: user.passwordHash === null,
              oneTimePasswordReplaced: user.mustChangePassword,
              sessionsEnded: open,
            },
            now,
            meta,
          ),
          tx,
        );
      });
      const ended = await deps.sessions.endAll(user.id, { reason: 'password_changed' });
      await deps.identities.refresh(user.id);
      await deps.lockout.reset(user.username);
      return ended;
    },
  );

export type ResetPasswordWithEid = ReturnType<typeof resetPasswordWithEid>;
