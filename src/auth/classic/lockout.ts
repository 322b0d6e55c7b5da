import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';
import type { Config } from '../../config';

/**
 * Brute-force lockout per account, counted atomically in Redis so every app instance sees the
 * same count. After `maxFailures` failures within the window the account is locked for
 * `durationInMinutes`; a successful login clears the count.
 */
export function createLockout(
  redis: RedisClientType,
  keyPrefix: string,
  lockout: Config['lockout'],
) {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: true,
    keyPrefix: `${keyPrefix}lockout`,
    points: lockout.maxFailures,
    duration: lockout.durationInMinutes * 60,
    blockDuration: lockout.durationInMinutes * 60,
  });

  return {
    async isLocked(username: string): Promise<boolean> {
      const res = await limiter.get(username);
      return res !== null && res.consumedPoints >= lockout.maxFailures;
    },
    /** Counts one failure; true only for the failure that locks the account. */
    async recordFailure(username: string): Promise<boolean> {
      try {
        const res = await limiter.consume(username);
        return res.consumedPoints === lockout.maxFailures;
      } catch (err) {
        // Rejected: already past the threshold (the count is atomic, so only one caller saw it hit).
        if (err instanceof RateLimiterRes) return err.consumedPoints === lockout.maxFailures;
        throw err;
      }
    },
    async reset(username: string): Promise<void> {
      await limiter.delete(username);
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;
