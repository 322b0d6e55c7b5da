import type { RedisClientType } from 'redis';
import type { Repositories } from '../../storage/repositories';
import { loadIdentity, type Identity } from '../../access/identity';
import { luaScript } from '../../shared/lua-script';

/** Bounds how long an identity can outlive a change whose refresh was lost (Redis restart). */
const TTL_IN_SECONDS = 3600;

/**
 * Sets `lastEidLoginAt` in a cached identity without reading PostgreSQL, atomically with any
 * refresh (one script), keeping the rest of the JSON as written (JSON.stringify's own
 * `"lastEidLoginAt":null` or `"lastEidLoginAt":"…"`). An absent key stays absent: the next read
 * loads the stamped row.
 */
const stampEid = luaScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local stamped = '"lastEidLoginAt":"' .. ARGV[1] .. '"'
local out, n = string.gsub(v, '"lastEidLoginAt":null', stamped, 1)
if n == 0 then out, n = string.gsub(v, '"lastEidLoginAt":"[^"]*"', stamped, 1) end
if n == 0 then return redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[1], out, 'KEEPTTL')
return 1`);

/**
 * One Redis key per user holding their {@link Identity}. Reads fall back to PostgreSQL and fill
 * the key only if it is still absent (NX), while a change overwrites it after its transaction
 * commits: a reader that loaded old data before the commit can never overwrite the new copy.
 */
export function createIdentityCache(
  redis: RedisClientType,
  keyPrefix: string,
  repos: Repositories,
) {
  const key = (userId: number) => `${keyPrefix}identity:${userId}`;
  return {
    async get(userId: number): Promise<Identity | null> {
      const cached = await redis.get(key(userId));
      if (cached) return JSON.parse(cached) as Identity;
      const identity = await loadIdentity(repos, userId);
      if (identity)
        await redis.set(key(userId), JSON.stringify(identity), { NX: true, EX: TTL_IN_SECONDS });
      return identity;
    },
    /** An e-ID login was stamped on the user's row: the cached identity says so too. */
    async stampEidLogin(userId: number, at: Date): Promise<void> {
      await stampEid(redis, { keys: [key(userId)], arguments: [at.toISOString()] });
    },
    /** Reloads the users' identities after a committed change; their open sessions see it next. */
    async refresh(...userIds: number[]): Promise<void> {
      for (const userId of new Set(userIds)) {
        const identity = await loadIdentity(repos, userId);
        if (identity)
          await redis.set(key(userId), JSON.stringify(identity), { EX: TTL_IN_SECONDS });
        else await redis.del(key(userId));
      }
    },
  };
}

export type IdentityCache = ReturnType<typeof createIdentityCache>;
