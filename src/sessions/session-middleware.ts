import session from 'express-session';
import { RedisStore } from 'connect-redis';
import type { RedisClientType } from 'redis';
import type { Config } from '../config';

export const SESSION_COOKIE = 'his.sid';

/**
 * express-session backed by Redis. The Redis TTL is the idle timeout, set again by every save;
 * the server-side checks in {@link enforceSessionTimeouts} use the injected clock.
 *
 * `disableTouch`: express-session would otherwise send an EXPIRE on every request that changed
 * nothing (a write per page view). The idle check saves the session at least once a minute of
 * activity (its `lastSeenAt`), and each save restarts the TTL, so the key still outlives the
 * server-side idle window: a plain page view reads the session and the identity, and writes
 * nothing (test/integration/session-writes.test.ts counts it).
 */
export function createSessionMiddleware(config: Config, redis: RedisClientType) {
  const store = new RedisStore({
    client: redis,
    prefix: `${config.redis.keyPrefix}sess:`,
    ttl: config.session.idleTimeoutInMinutes * 60,
    disableTouch: true,
  });
  const middleware = session({
    name: SESSION_COOKIE,
    store,
    secret: config.session.secret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: undefined,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.session.cookieSecure,
      path: '/',
      // No maxAge: a browser cookie that ends with the browser, as shared PCs want.
    },
  });
  return { middleware, store };
}
