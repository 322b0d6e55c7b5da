import { createClient, type RedisClientType } from 'redis';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { watchRedis } from './watchdog';
import { createSentinelClient } from './sentinel';

/**
 * The longest a request waits for Redis before it is answered with the 503 page: the Sentinel
 * client's command timeout, and more than the direct client's watchdog takes (`WATCHDOG`). A
 * command Redis runs later than this after it was sent belongs to a request already answered
 * (src/domain/passwords/lockout.ts uses it so that such a login spends no points).
 */
export const REDIS_ANSWER_BUDGET_IN_MS = 2000;
/** A PING every 500 ms, unanswered for 1 s: a stalled Redis is dropped within 1.5 s. */
const WATCHDOG = { intervalInMs: 500, timeoutInMs: 1000 };

/**
 * Commands are not queued while disconnected and time out after two seconds. Fresh objects for
 * each client: node-redis writes the URL's host and port into the `socket` object it is given.
 * The direct client leaves `commandOptions` out (see {@link createRedisClient}).
 */
const failFast = () => ({
  disableOfflineQueue: true,
  commandOptions: { timeout: REDIS_ANSWER_BUDGET_IN_MS },
});
const socket = () => ({
  connectTimeout: 2000,
  reconnectStrategy: (retries: number) => Math.min(200 * 2 ** Math.min(retries, 4), 3000),
});

/**
 * A node-redis client that fails fast: commands are not queued while disconnected, and a Redis
 * that stops answering is dropped within 1.5 s (the watchdog), so an outage becomes a clear error
 * page rather than a hanging request.
 * It keeps reconnecting in the background and recovers by itself. With `sentinel` (REDIS_SENTINELS)
 * it is node-redis's Sentinel client with the same options, following the primary (see
 * {@link createSentinelClient}); `url` is then unused.
 */
export function createRedisClient(
  url: string,
  logger: Logger,
  sentinel: Config['redis']['sentinel'] = null,
): RedisClientType {
  if (sentinel) return createSentinelClient(sentinel, failFast(), socket(), logger);
  // No per-command timeout on the direct client: node-redis only applies it to commands not yet
  // written (none wait, without the offline queue), yet arms an AbortSignal timer for every
  // command — a third of /auth/verify's CPU (bench/README.md). The watchdog below bounds a Redis
  // that stops answering instead.
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: socket(),
  }) as RedisClientType;
  let reported = false;
  client.on('error', (err: Error) => {
    if (!reported) logger.error({ err: err.message }, 'redis connection error');
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.info('redis connection restored');
    reported = false;
  });
  // A Redis that stops answering on an open socket (paused, frozen) is dropped and reconnected
  // within 1.5 s, so requests still get their 503 page within 2 s.
  watchRedis(client, logger, WATCHDOG);
  return client;
}
