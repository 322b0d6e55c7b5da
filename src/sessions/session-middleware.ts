import session from 'express-session';
import { RedisStore } from 'connect-redis';
import type { RedisClientType } from 'redis';
import type { Config } from '../config';

export const SESSION_COOKIE = 'his.sid';

/**
 * express-session backed by Redis. The Redis TTL is the idle timeout (refreshed on each request
 * by `touch`); the server-side checks in {@link enforceTimeouts} use the injected clock.
 */
export function createSessionMiddleware(config: Config, redis: RedisClientType) {
  const store = new RedisStore({
    client: redis,
    prefix: `${config.redis.keyPrefix}sess:`,
    ttl: config.session.idleTimeoutInMinutes * 60,
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
