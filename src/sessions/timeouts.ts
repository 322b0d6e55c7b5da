import type { Request, RequestHandler } from 'express';
import type { Clock } from '../shared/clock';
import type { Config } from '../config';
import type { RecordLoginEvent } from '../audit/recorder';
import { destroySession } from './session-ops';
import { requestMeta } from '../http/request-meta';

/** lastSeenAt is rewritten at most this often, so idle sessions are not saved on every request. */
const TOUCH_INTERVAL_MS = 60_000;

/** Why a session ended on its own; also the `?expired=` code the login page explains. */
export type ExpiryReason = 'idle_timeout' | 'absolute_timeout';

export function sessionExpiry(
  auth: { createdAt: number; lastSeenAt: number },
  now: number,
  session: Config['session'],
): ExpiryReason | null {
  if (now - auth.createdAt > session.absoluteTimeoutInHours * 3_600_000) return 'absolute_timeout';
  if (now - auth.lastSeenAt > session.idleTimeoutInMinutes * 60_000) return 'idle_timeout';
  return null;
}

/**
 * The timeouts of the request's open session, checked with the injected clock (the Redis TTL is
 * only the backstop): an expired session is audited and destroyed, and its reason returned; a
 * live one has its `lastSeenAt` moved forward at most once a minute (the only session write of
 * an otherwise unchanged request). Null without an open session or when it is live.
 */
export async function checkSessionTimeouts(
  req: Request,
  clock: Clock,
  config: Config,
  record: RecordLoginEvent,
): Promise<ExpiryReason | null> {
  const auth = req.session?.auth;
  if (!auth) return null;
  const now = clock.now().getTime();
  const expired = sessionExpiry(auth, now, config.session);
  if (expired) {
    await record({
      ...requestMeta(req),
      userId: auth.userId,
      method: 'session',
      outcome: 'info',
      reason: expired,
      establishmentId: auth.establishmentId,
    });
    await destroySession(req);
    return expired;
  }
  if (now - auth.lastSeenAt > TOUCH_INTERVAL_MS) auth.lastSeenAt = now;
  return null;
}

/** Pages: an expired session is sent back to the login, which says why. */
export function enforceSessionTimeouts(
  clock: Clock,
  config: Config,
  record: RecordLoginEvent,
): RequestHandler {
  return async (req, res, next) => {
    const expired = await checkSessionTimeouts(req, clock, config, record);
    if (!expired) return next();
    res.redirect(303, `/login?expired=${expired === 'idle_timeout' ? 'idle' : 'absolute'}`);
  };
}
