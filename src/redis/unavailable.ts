import * as redis from 'redis';

/**
 * node-redis's errors for "Redis cannot be reached or stopped answering": down, restarting,
 * dropped by the watchdog (src/redis/watchdog.ts), or not yet reconnected. They reach the error
 * handler from express-session, connect-redis and rate-limiter-flexible. node-redis leaves their
 * `name` as plain "Error", so they are told apart by class.
 */
const UNAVAILABLE = [
  redis.ClientClosedError,
  redis.ClientOfflineError,
  redis.ConnectionTimeoutError,
  redis.DisconnectsClientError,
  redis.ReconnectStrategyError,
  redis.SocketClosedUnexpectedlyError,
  redis.SocketTimeoutError,
  redis.TimeoutError,
];

/** Whether `err` means Redis is unavailable (a 503 page), as opposed to a bug or a refused command. */
export const isRedisUnavailable = (err: unknown): boolean =>
  UNAVAILABLE.some((type) => err instanceof type);
