import type { RequestHandler } from 'express';
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
 * Enforces idle and absolute timeouts on the server with the injected clock (the Redis TTL is
 * only the backstop). An expired session is destroyed, audited, and sent back to the login.
 */
export function enforceSessionTimeouts(
  clock: Clock,
  config: Config,
  record: RecordLoginEvent,
): RequestHandler {
  return async (req, res, next) => {
    const auth = req.session?.auth;
    if (!auth) return next();
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
      res.redirect(303, `/login?expired=${expired === 'idle_timeout' ? 'idle' : 'absolute'}`);
      return;
    }
    if (now - auth.lastSeenAt > TOUCH_INTERVAL_MS) auth.lastSeenAt = now;
    next();
  };
}
