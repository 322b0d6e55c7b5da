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
    /** Which of these usernames are locked now (one lookup each, pipelined by the client). */
    async lockedAmong(usernames: string[]): Promise<Set<string>> {
      const results = await Promise.all(usernames.map((u) => limiter.get(u)));
      return new Set(
        usernames.filter((_, i) => (results[i]?.consumedPoints ?? 0) >= lockout.maxFailures),
      );
    },
    /**
     * Usernames locked now, found by SCAN over the lockout keys (which also count failures of
     * unknown names): at most `max` of them and at most `maxKeys` keys read, so a flood of failed
     * attempts cannot make one request walk Redis without end. `complete` is false when cut short.
     */
    async listLocked(
      max = 1000,
      maxKeys = 20_000,
    ): Promise<{ usernames: string[]; complete: boolean }> {
      const prefix = `${keyPrefix}lockout:`;
      const usernames: string[] = [];
      let seen = 0;
      for await (const keys of redis.scanIterator({
        MATCH: `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
        COUNT: 1000,
      })) {
        const counts = await Promise.all(keys.map((k) => redis.get(k)));
        keys.forEach((k, i) => {
          if (Number(counts[i] ?? 0) >= lockout.maxFailures) usernames.push(k.slice(prefix.length));
        });
        seen += keys.length;
        if (usernames.length >= max || seen >= maxKeys) {
          return { usernames: usernames.slice(0, max), complete: false };
        }
      }
      return { usernames, complete: true };
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;
