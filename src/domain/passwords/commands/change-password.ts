import { z } from 'zod';
import type { Repositories } from '../../../storage/repositories';
import type { Clock } from '../../../shared/clock';
import type { Actor } from '../../../access/actor';
import { named, type CommandMeta } from '../../../access/command';
import type { Lockout } from '../lockout';
import type { IdentityCache } from '../../sessions/identity-cache';
import { hashPassword, verifyPassword } from '../hashing';
import { AppError, forbidden } from '../../../shared/errors';
import { conflict, validate, ValidationError } from '../../../shared/validation';
import { newPasswordErrors, newPasswordFields, normalizePassword } from '../new-password';
import { selfEvent } from '../../audit/self-event';

/**
 * What /me/password does for this account in this session:
 * - `change`: the account has a password, so the current one is asked;
 * - `forced`: the account holds a one-time password (an administrator's reset, or a new
 *   account): it is not asked again. Every session open now was opened after that password was
 *   issued (issuing it ends the account's sessions), so this session already proved it — or
 *   proved the person through the e-ID. The new password must differ from it;
 * - `first`: an e-ID-only account in a session opened with the e-ID sets its first HIS password
 *   (the e-ID login of this session is the proof of identity);
 * - `eid_required`: an account without a password in a session that did not come from the e-ID
 *   (not reachable by logging in, but possible if an administrator removed the password
 *   meanwhile): nothing proves the person, so they must verify with the e-ID first.
 */
export type PasswordMode = 'change' | 'forced' | 'first' | 'eid_required';

export const passwordMode = (
  account: { hasPassword: boolean; mustChangePassword: boolean },
  sessionMethod: 'classic' | 'eid',
): PasswordMode =>
  account.hasPassword
    ? account.mustChangePassword
      ? 'forced'
      : 'change'
    : sessionMethod === 'eid'
      ? 'first'
      : 'eid_required';

const schema = z.object({
  currentPassword: z.string().max(1024, 'La contraseña es demasiado larga.').optional().default(''),
  ...newPasswordFields,
});

export interface ChangePasswordDeps {
  repos: Repositories;
  clock: Clock;
  lockout: Lockout;
  identities: IdentityCache;
}

/** The session's facts the command needs besides who and from where. */
export type ChangePasswordMeta = CommandMeta & { sessionMethod: 'classic' | 'eid' };

/** "15 minutos", "1 minuto": a wait in whole minutes, rounded up. */
const waitText = (seconds: number): string => {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}`;
};

export const EID_REQUIRED_MESSAGE =
  'Su cuenta no tiene contraseña del HIS. Para crear una, verifique primero su identidad con la Identidad Electrónica.';

/**
 * The account holder changes their HIS password (or sets the first one, see {@link PasswordMode}).
 * A wrong current password counts toward the same lockout as the login form and is audited; the
 * new password must pass the policy and differ from the current one. The new hash, the end of
 * the one-time password and the admin_events row commit together; then the lockout count is
 * cleared and the cached identity refreshed (which lifts the forced change).
 *
 * Not a `defineCommand`: the current password is checked against the brute-force limits and its
 * hash verified BEFORE any transaction (no connection is held during the hash), and each refused
 * attempt is audited with its own reason (`bad_current_password`, `account_locked`…), which
 * defineCommand's single refusal path (the policy's) does not express.
 */
export const changePassword = (deps: ChangePasswordDeps) =>
  named(
    'authenticated',
    'me.changePassword',
    async (actor: Actor, rawInput: unknown, meta: ChangePasswordMeta): Promise<void> => {
      const input = validate(schema, rawInput);
      const now = deps.clock.now();
      const deny = (details: Record<string, unknown>) =>
        deps.repos.transaction((tx) =>
          deps.repos.adminEvents.append(
            selfEvent(actor, 'me.changePassword', 'denied', details, now, meta),
            tx,
          ),
        );
      const user = await deps.repos.users.findById(actor.userId);
      if (!user || user.status !== 'active') throw forbidden();
      const mode = passwordMode(
        { hasPassword: user.passwordHash !== null, mustChangePassword: user.mustChangePassword },
        meta.sessionMethod,
      );
      if (mode === 'eid_required') {
        await deny({ reason: 'eid_required' });
        throw new AppError('eid_required', 403, EID_REQUIRED_MESSAGE);
      }

      const errors: Record<string, string> = {};
      let reused = false;
      if (mode === 'change') {
        if (!input.currentPassword) errors.currentPassword = 'Ingrese su contraseña actual.';
        else {
          // The login form's limits, reserved before the hash is verified (see lockout.ts).
          const gate = await deps.lockout.reserve(user.username, meta.ip);
          if (!gate.allowed) {
            await deny({ reason: gate.reason });
            errors.currentPassword = `Demasiados intentos fallidos. Espere ${waitText(gate.retryAfterSeconds)} y vuelva a intentarlo.`;
          } else if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
            const { lockStarted, lockSeconds } = await gate.failed();
            await deny({ reason: 'bad_current_password', lockoutStarted: lockStarted });
            errors.currentPassword = lockStarted
              ? `La contraseña actual no es correcta. Por demasiados intentos fallidos, su cuenta quedó bloqueada por ${waitText(lockSeconds)}.`
              : 'La contraseña actual no es correcta.';
          } else {
            await gate.succeeded();
            reused =
              normalizePassword(input.currentPassword) === normalizePassword(input.newPassword);
          }
        }
      }
      if (mode === 'forced' && input.newPassword)
        reused = await verifyPassword(user.passwordHash, normalizePassword(input.newPassword));
      Object.assign(errors, newPasswordErrors(input, user, reused));
      if (reused && mode === 'forced')
        errors.newPassword =
          'La nueva contraseña debe ser distinta de la contraseña de un solo uso.';
      if (Object.keys(errors).length) throw new ValidationError(errors);

      const passwordHash = await hashPassword(normalizePassword(input.newPassword));
      await deps.repos.transaction(async (tx) => {
        const locked = await deps.repos.users.lockById(user.id, tx);
        if (locked?.passwordHash !== user.passwordHash)
          throw conflict('Su contraseña cambió mientras tanto. Vuelva a intentarlo.');
        await deps.repos.users.update(user.id, { passwordHash, mustChangePassword: false }, tx);
        await deps.repos.adminEvents.append(
          selfEvent(
            actor,
            'me.changePassword',
            'success',
            { firstPassword: mode === 'first', oneTimePasswordReplaced: user.mustChangePassword },
            now,
            meta,
          ),
          tx,
        );
      });
      await deps.lockout.reset(user.username);
      await deps.identities.refresh(user.id);
    },
  );

export type ChangePassword = ReturnType<typeof changePassword>;
