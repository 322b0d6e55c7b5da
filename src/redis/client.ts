import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../shared/logger';

/**
 * A node-redis client that fails fast: commands are not queued while disconnected and time out
 * after two seconds, so a Redis outage becomes a clear error page rather than a hanging request.
 * It keeps reconnecting in the background and recovers by itself.
 */
export function createRedisClient(url: string, logger: Logger): RedisClientType {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: 2000 },
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries) => Math.min(200 * 2 ** Math.min(retries, 4), 3000),
    },
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
  return client;
}
