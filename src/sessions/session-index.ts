import type { RedisClientType } from 'redis';
import type { Store } from 'express-session';

/**
 * Per-user set of open session ids in Redis, so that an administrator (or a disable) can list
 * and end every session of a user. Sessions end in many ways (logout, timeouts, Redis TTL), so
 * nobody removes entries one by one: the set drops the ids whose session is gone whenever it is
 * read or added to, and the whole set expires once no session of it can still be alive.
 */
export function createSessionIndex(
  redis: RedisClientType,
  keyPrefix: string,
  store: Store,
  lifetimeInSeconds: number,
) {
  const key = (userId: number) => `${keyPrefix}user-sessions:${userId}`;
  const sessionKey = (sid: string) => `${keyPrefix}sess:${sid}`;

  /** Live session ids of the user; dead ones are removed from the set. */
  async function list(userId: number): Promise<string[]> {
    const ids = await redis.sMembers(key(userId));
    const live: string[] = [];
    for (const sid of ids) {
      if (await redis.exists(sessionKey(sid))) live.push(sid);
      else await redis.sRem(key(userId), sid);
    }
    return live;
  }

  return {
    list,
    async add(userId: number, sid: string): Promise<void> {
      await list(userId);
      await redis.multi().sAdd(key(userId), sid).expire(key(userId), lifetimeInSeconds).exec();
    },
    /** Destroys every session of the user; returns how many were open. */
    async endAll(userId: number): Promise<number> {
      const ids = await list(userId);
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
    /** Destroys every session of the user except `keepSid` (the caller's); returns how many. */
    async endOthers(userId: number, keepSid: string): Promise<number> {
      const others = (await list(userId)).filter((sid) => sid !== keepSid);
      for (const sid of others) {
        await new Promise<void>((resolve, reject) =>
          store.destroy(sid, (err) => (err ? reject(err) : resolve())),
        );
        await redis.sRem(key(userId), sid);
      }
      return others.length;
    },
  };
}

export type SessionIndex = ReturnType<typeof createSessionIndex>;
