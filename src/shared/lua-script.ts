import { createHash } from 'node:crypto';
import { ErrorReply, type RedisClientType } from 'redis';

type ScriptOptions = { keys?: string[]; arguments?: string[] };

/**
 * A Lua script called by its SHA-1 (EVALSHA), its text sent only when the server does not hold it
 * (NOSCRIPT: a restarted Redis, a new primary after a failover; EVAL then loads it again). EVAL
 * on every call sent the whole text and made Redis hash it each time: the session's read runs on
 * every page view and every /auth/verify, on the cores the app shares with Redis.
 */
export function luaScript(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis: RedisClientType, options: ScriptOptions): Promise<unknown> => {
    try {
      return await redis.evalSha(sha, options);
    } catch (err) {
      if (!(err instanceof ErrorReply) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(source, options);
    }
  };
}
