import { z } from 'zod';
import { checkNewPassword, type PasswordOwner } from './policy';

/**
 * The new-password fields both forms share (/me/password and the forgotten-password form).
 * Lengths here only bound the request; the policy's 12–128 code points decide.
 */
export const newPasswordFields = {
  newPassword: z.string().max(1024, 'La contraseña es demasiado larga.').optional().default(''),
  confirmation: z.string().max(1024, 'La contraseña es demasiado larga.').optional().default(''),
};

/** One spelling of a password for every check and for the hash: Unicode NFC. */
export const normalizePassword = (password: string): string => password.normalize('NFC');

/**
 * Per-field Spanish messages for a new password and its confirmation: empty, refused by the
 * policy (length, own data, common or guessable), or a confirmation that differs. Empty when
 * both are acceptable. `reused` says whether it is the password being replaced.
 */
export function newPasswordErrors(
  input: { newPassword: string; confirmation: string },
  owner: PasswordOwner,
  reused = false,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const password = normalizePassword(input.newPassword);
  if (!password) errors.newPassword = 'Ingrese la nueva contraseña.';
  else if (reused) errors.newPassword = 'La nueva contraseña debe ser distinta de la actual.';
  else {
    const problem = checkNewPassword(password, owner);
    if (problem) errors.newPassword = problem.message;
  }
  if (!input.confirmation) errors.confirmation = 'Repita la nueva contraseña.';
  else if (normalizePassword(input.confirmation) !== password)
    errors.confirmation = 'La confirmación no coincide con la nueva contraseña.';
  return errors;
}

/**
 * The password fields to fill in again after a refused form: each one that was accepted, so the
 * person retypes only what was wrong (the new password and its confirmation only together). The
 * page is never cached (`no-store`) and goes only to the session that typed them.
 */
export function acceptedPasswordFields(
  body: unknown,
  errors: Record<string, string>,
): Record<string, string> {
  const typed = (body ?? {}) as Record<string, unknown>;
  const text = (name: string) => (typeof typed[name] === 'string' ? (typed[name] as string) : '');
  const kept: Record<string, string> = {};
  if (text('currentPassword') && !errors.currentPassword)
    kept.currentPassword = text('currentPassword');
  if (text('newPassword') && !errors.newPassword && !errors.confirmation) {
    kept.newPassword = text('newPassword');
    kept.confirmation = text('confirmation');
  }
  return kept;
}
