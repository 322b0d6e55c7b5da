import type { Request, RequestHandler } from 'express';
import { parse } from 'cookie';
import { unsign } from 'cookie-signature';
import type { Clock } from '../../shared/clock';
import type { Config } from '../../config';
import type { RecordLoginEvent } from '../../domain/audit/recorder';
import { destroySession } from './ops';
import { requestMeta } from '../request-meta';
import { SESSION_COOKIE, sessionCookieOptions } from './middleware';
import type { SessionEnds } from '../../domain/sessions/session-ends';
import { sessionDeadline, type ExpiryReason } from '../../domain/sessions/deadline';
import type { ClosedSessions } from '../../domain/sessions/closed-sessions';

/** lastSeenAt is rewritten at most this often, so idle sessions are not saved on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export { sessionDeadline, sessionExpiry, type ExpiryReason } from '../../domain/sessions/deadline';

export interface SessionTimeoutDeps {
  clock: Clock;
  config: Config;
  record: RecordLoginEvent;
  ends: SessionEnds;
  /** Why sessions ended by someone else ended (src/domain/sessions/closed-sessions.ts). */
  closedSessions: ClosedSessions;
  /** The modules an expired session signed into are told (back-channel logout). */
  sso?: { end(ssoId: string | undefined): Promise<void> };
}

/**
 * The session timeouts, checked with the injected clock, including for sessions Redis already
 * dropped by their idle TTL (the end record keeps what is needed, see {@link SessionEnds}).
 */
export function createSessionTimeouts({
  clock,
  config,
  record,
  ends,
  closedSessions,
  sso,
}: SessionTimeoutDeps) {
  const sessionKey = (sid: string) => `${config.redis.keyPrefix}sess:${sid}`;

  /** The login_events row of an expiry, stamped with when the session expired. */
  const audit = (
    meta: { ip: string | null; userAgent: string | null },
    end: { userId: number; establishmentId: number },
    deadline: { reason: ExpiryReason; at: number },
  ) =>
    record({
      ...meta,
      userId: end.userId,
      method: 'session',
      outcome: 'info',
      reason: deadline.reason,
      establishmentId: end.establishmentId,
      occurredAt: new Date(deadline.at),
    });

  /**
   * The session id the request's cookie names when express-session found no session for it
   * (it then makes up a new id): a session that expired, ended, or never existed. Null when the
   * cookie is absent, forged, or its session was loaded.
   */
  function goneSessionId(req: Request): string | null {
    const header = req.headers.cookie;
    if (!header?.includes(SESSION_COOKIE)) return null;
    const value = parse(header)[SESSION_COOKIE];
    if (!value?.startsWith('s:')) return null;
    const sid = unsign(value.slice(2), config.session.secret);
    return sid && sid !== req.sessionID ? sid : null;
  }

  /**
   * Checks the request's session: an expired one is audited (once, whichever concurrent request
   * gets there first) and ended, and its reason returned; a live one has its `lastSeenAt` moved
   * forward at most once a minute (the only session write of an otherwise unchanged request). A
   * cookie whose session Redis no longer holds is looked up in the end records: an expiry is
   * audited with the time it happened; a session ended on purpose or never opened has no record,
   * and nothing is said. `stale`: the request's session cookie names no session.
   */
  async function inspect(
    req: Request,
  ): Promise<{ expired: ExpiryReason | null; stale: boolean; goneSid?: string }> {
    const now = clock.now().getTime();
    const auth = req.session?.auth;
    if (auth) {
      const deadline = sessionDeadline(auth, config.session);
      if (now <= deadline.at) {
        if (now - auth.lastSeenAt > TOUCH_INTERVAL_MS) auth.lastSeenAt = now;
        return { expired: null, stale: false };
      }
      if (await ends.claimLive(req.sessionID, sessionKey(req.sessionID)))
        await audit(requestMeta(req), auth, deadline);
      await destroySession(req);
      await sso?.end(auth.ssoId);
      return { expired: deadline.reason, stale: false };
    }
    const sid = goneSessionId(req);
    if (!sid) return { expired: null, stale: false };
    const { end, audit: mustAudit } = await ends.claim(sid);
    // No record, or Redis lost a session that had not expired (a restart, eviction): nothing to tell.
    if (!end || now <= end.at) return { expired: null, stale: true, goneSid: sid };
    // Already audited by the sweep (or a concurrent request): the notice only.
    if (mustAudit) await audit(requestMeta(req), end, end);
    await sso?.end(end.ssoId);
    return { expired: end.reason, stale: true };
  }

  /**
   * Audits the expiries nobody came back to (the browser closed, the PC switched off), at most
   * `limit` per call; returns how many rows it wrote. Each instance may run it: a session's row is
   * written by whoever takes its due-set entry first. Its record stays for the login notice.
   */
  async function sweep(limit = 500): Promise<number> {
    let written = 0;
    for (const { end, audit: mustAudit } of await ends.takeDue(clock.now().getTime(), limit)) {
      await sso?.end(end?.ssoId);
      if (!mustAudit || !end) continue;
      await audit({ ip: null, userAgent: null }, end, end);
      written++;
    }
    return written;
  }

  /** Forward-auth: the expiry of the request's session, if it expired; sets no cookie. */
  const check = async (req: Request): Promise<ExpiryReason | null> => (await inspect(req)).expired;

  /**
   * Pages: an expired session is sent back to the login, which says why; so is a session someone
   * else ended (an administrator, a disable, a deactivated establishment): any page its cookie
   * reaches leads to the login, which takes the reason and shows it (`res.locals.sessionClosed`).
   * A cookie naming no session is then cleared, so the browser stops sending it.
   */
  const enforce: RequestHandler = async (req, res, next) => {
    const { expired, stale, goneSid } = await inspect(req);
    if (goneSid) {
      const onLoginPage = req.method === 'GET' && req.path === '/login';
      const closed = onLoginPage
        ? await closedSessions.take(goneSid)
        : await closedSessions.peek(goneSid);
      // The cookie stays until the login page has told why.
      if (closed && !onLoginPage) return res.redirect(303, '/login');
      if (closed) res.locals.sessionClosed = closed;
    }
    if (stale) {
      res.clearCookie(SESSION_COOKIE, sessionCookieOptions(config));
    }
    if (!expired) return next();
    res.redirect(303, `/login?expired=${expired === 'idle_timeout' ? 'idle' : 'absolute'}`);
  };

  return { check, enforce, sweep };
}

export type SessionTimeouts = ReturnType<typeof createSessionTimeouts>;
