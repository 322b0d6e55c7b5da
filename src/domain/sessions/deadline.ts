import type { Config } from '../../config';

/** Why a session ended on its own; also the `?expired=` code the login page explains. */
export type ExpiryReason = 'idle_timeout' | 'absolute_timeout';

/** When a session ends on its own, and why: whichever of its idle and absolute ends comes first. */
export function sessionDeadline(
  auth: { createdAt: number; lastSeenAt: number },
  session: Config['session'],
): { reason: ExpiryReason; at: number } {
  const absolute = auth.createdAt + session.absoluteTimeoutInHours * 3_600_000;
  const idle = auth.lastSeenAt + session.idleTimeoutInMinutes * 60_000;
  return absolute <= idle
    ? { reason: 'absolute_timeout', at: absolute }
    : { reason: 'idle_timeout', at: idle };
}

/** The reason a session has expired at `now` (epoch ms), or null while it is live. */
export function sessionExpiry(
  auth: { createdAt: number; lastSeenAt: number },
  now: number,
  session: Config['session'],
): ExpiryReason | null {
  const deadline = sessionDeadline(auth, session);
  return now > deadline.at ? deadline.reason : null;
}
