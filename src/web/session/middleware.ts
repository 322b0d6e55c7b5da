import session, { type SessionData } from 'express-session';
import { RedisStore } from 'connect-redis';
import type { RedisClientType } from 'redis';
import type { Config } from '../../config';
import { refuseEndedSessions } from '../../domain/sessions/ended-sessions';
import { ENDED_MARK_PREFIX, type SessionEnds } from '../../domain/sessions/session-ends';

export const SESSION_COOKIE = 'his.sid';

/**
 * The session cookie's attributes: express-session sets the cookie with them, and a cookie naming
 * no session is cleared with them (src/web/session/timeouts.ts).
 */
export const sessionCookieOptions = (config: Config) =>
  ({
    httpOnly: true,
    sameSite: 'lax',
    secure: config.session.cookieSecure,
    path: '/',
  }) as const;

type Callback = (err?: unknown, data?: unknown) => unknown;

/** Keys a session may hold while it is only an e-ID login on its way to the provider. */
const FLOW_ONLY_KEYS = new Set(['cookie', 'eidFlow', 'flash', 'csrfToken', 'eidReturnTo']);

/**
 * connect-redis, plus the session's end record ({@link SessionEnds}): every save of a signed-in
 * session rewrites it (the two SETs leave in the same pipeline, one round trip), and every destroy
 * removes it, so a session ended on purpose (logout, a new id at login, an administrator) can
 * never be mistaken later for one that expired.
 */
class SessionStore extends RedisStore {
  constructor(
    options: ConstructorParameters<typeof RedisStore>[0],
    private readonly ends: SessionEnds,
  ) {
    super(options);
  }

  override async set(sid: string, sess: SessionData, cb?: Callback): Promise<unknown> {
    try {
      await Promise.all([super.set(sid, sess), sess.auth && this.ends.write(sid, sess.auth)]);
    } catch (err) {
      if (cb) return cb(err);
      throw err;
    }
    return cb?.();
  }

  override async destroy(sid: string, cb?: Callback): Promise<unknown> {
    try {
      await Promise.all([super.destroy(sid), this.ends.remove(sid)]);
    } catch (err) {
      if (cb) return cb(err);
      throw err;
    }
    return cb?.();
  }
}

/**
 * express-session backed by Redis. The Redis TTL is the idle timeout, set again by every save;
 * the server-side checks in {@link enforceSessionTimeouts} use the injected clock.
 *
 * `disableTouch`: express-session would otherwise send an EXPIRE on every request that changed
 * nothing (a write per page view). The idle check saves the session at least once a minute of
 * activity (its `lastSeenAt`), and each save restarts the TTL, so the key still outlives the
 * server-side idle window: a plain page view reads the session and the identity, and writes
 * nothing (test/integration/session-writes.test.ts counts it).
 *
 * A session that holds nothing but an e-ID login on its way to the provider (GET /auth/eid from
 * the login page, a link anyone can follow in a loop) lives only as long as that login may take.
 */
export function createSessionMiddleware(config: Config, redis: RedisClientType, ends: SessionEnds) {
  const idle = config.session.idleTimeoutInMinutes * 60;
  const flowOnly = Math.min(idle, config.eid.flowTtlInMinutes * 60);
  const prefix = `${config.redis.keyPrefix}sess:`;
  const store = new SessionStore(
    {
      // A session ended on purpose is never written back by a request still running on it.
      client: refuseEndedSessions(
        redis,
        prefix,
        `${config.redis.keyPrefix}${ENDED_MARK_PREFIX}`,
        idle,
      ),
      prefix,
      ttl: (sess: SessionData) =>
        sess.eidFlow && Object.keys(sess).every((key) => FLOW_ONLY_KEYS.has(key)) ? flowOnly : idle,
      disableTouch: true,
    },
    ends,
  );
  const middleware = session({
    name: SESSION_COOKIE,
    store,
    secret: config.session.secret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: undefined,
    cookie: {
      ...sessionCookieOptions(config),
      // No maxAge: a browser cookie that ends with the browser, as shared PCs want.
    },
  });
  return { middleware, store };
}
