import type { RedisClientType } from 'redis';
import type { Store } from 'express-session';

/**
 * Per-user set of open session ids in Redis, so that an administrator (or a disable) can list
 * and end every session of a user. Entries whose session has expired are pruned when read.
 */
export function createSessionIndex(redis: RedisClientType, keyPrefix: string, store: Store) {
  const key = (userId: number) => `${keyPrefix}user-sessions:${userId}`;
  const sessionKey = (sid: string) => `${keyPrefix}sess:${sid}`;

  return {
    async add(userId: number, sid: string): Promise<void> {
      await redis.sAdd(key(userId), sid);
    },
    async remove(userId: number, sid: string): Promise<void> {
      await redis.sRem(key(userId), sid);
    },
    /** Live session ids of the user. */
    async list(userId: number): Promise<string[]> {
      const ids = await redis.sMembers(key(userId));
      const live: string[] = [];
      for (const sid of ids) {
        if (await redis.exists(sessionKey(sid))) live.push(sid);
        else await redis.sRem(key(userId), sid);
      }
      return live;
    },
    /** Destroys every session of the user; returns how many were open. */
    async endAll(userId: number): Promise<number> {
      const ids = await redis.sMembers(key(userId));
      await Promise.all(
        ids.map(
          (sid) =>
            new Promise<void>((resolve, reject) =>
              store.destroy(sid, (err) => (err ? reject(err) : resolve())),
            ),
        ),
      );
      await redis.del(key(userId));
      return ids.length;
    },
  };
}

export type SessionIndex = ReturnType<typeof createSessionIndex>;
