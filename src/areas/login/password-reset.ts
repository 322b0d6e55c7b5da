import type { Request } from 'express';
import { regenerateSession } from '../../web/session/ops';

/** How long "¿Olvidó su contraseña?" waits for the e-ID login to come back. */
const INTENT_TTL_MS = 10 * 60_000;

/**
 * The forgotten-password flow in the session, in two slices that are never a signed-in session:
 * `passwordReset` (the person asked for a new password; the next e-ID login is for that) and
 * `passwordResetVerified` (the e-ID returned a person with an HIS account, who may now set it).
 */
export async function beginPasswordReset(req: Request, now: Date): Promise<void> {
  // A fresh anonymous session: no pending login or re-auth demand of anyone else carries over.
  await regenerateSession(req);
  req.session.passwordReset = { startedAt: now.getTime() };
}

/**
 * Removes the intent from the session (every e-ID callback does, whatever its outcome, so that a
 * cancelled or refused login leaves nothing behind) and says whether it was there and fresh.
 */
export function takePasswordResetIntent(req: Request, now: Date): boolean {
  const intent = req.session.passwordReset;
  delete req.session.passwordReset;
  return Boolean(intent && now.getTime() - intent.startedAt <= INTENT_TTL_MS);
}

/** The e-ID accepted the person: a new session id holding only who was verified, and when. */
export async function markPasswordResetVerified(
  req: Request,
  userId: number,
  now: Date,
): Promise<void> {
  await regenerateSession(req);
  req.session.passwordResetVerified = { userId, verifiedAt: now.getTime() };
}
