import type { RedisClientType } from 'redis';
import { luaScript } from '../../shared/lua-script';

/**
 * SET the session only while its id carries no "ended" mark. One Lua script, so it is atomic
 * with {@link delAndMark}: either the save lands first (and the DEL removes it) or the mark is
 * there first (and the save is dropped).
 */
const setUnlessEnded = luaScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`);

/**
 * DEL the session and, when there was one, mark its id as ended. A session that was never stored
 * (an anonymous visitor's, regenerated at login) leaves no mark behind.
 */
const delAndMark = luaScript(`
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
return 1`);

type SetOptions = { expiration?: { type: string; value: number } };

/**
 * The Redis client the session store talks to, so that a session ended on purpose (logout, a new
 * id at login, an administrator ending it, a disable) can never be written back by a request
 * that loaded it earlier and finishes later: express-session saves whatever the request
 * modified (its once-a-minute `lastSeenAt`) with a plain SET, which would resurrect it.
 *
 * Deleting a stored session leaves an "ended" mark for `markTtlInSeconds` (the idle timeout: no
 * request outlives it), and writes to a marked id are dropped. Keys outside `sessionPrefix` and
 * every other command pass through unchanged. test/integration/security-logout-race.test.ts.
 */
export function refuseEndedSessions(
  redis: RedisClientType,
  sessionPrefix: string,
  markPrefix: string,
  markTtlInSeconds: number,
): RedisClientType {
  const markOf = (key: string) => `${markPrefix}${key.slice(sessionPrefix.length)}`;
  const ours = (key: unknown): key is string =>
    typeof key === 'string' && key.startsWith(sessionPrefix);

  async function set(key: string, value: string, options?: SetOptions) {
    if (!ours(key) || options?.expiration?.type !== 'EX')
      return redis.set(key, value, options as never);
    const written = await setUnlessEnded(redis, {
      keys: [key, markOf(key)],
      arguments: [value, String(options.expiration.value)],
    });
    return written === 1 ? 'OK' : null;
  }

  async function del(keys: string | string[]) {
    const list = ([] as string[]).concat(keys);
    if (!list.every(ours)) return redis.del(list);
    let deleted = 0;
    for (const key of list)
      deleted += Number(
        await delAndMark(redis, {
          keys: [key, markOf(key)],
          arguments: [String(markTtlInSeconds)],
        }),
      );
    return deleted;
  }

  return new Proxy(redis, {
    get(target, property) {
      if (property === 'set') return set;
      if (property === 'del') return del;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
