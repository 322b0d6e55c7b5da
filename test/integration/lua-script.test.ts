import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { luaScript } from '../../src/shared/lua-script';
import { deleteRedisKeys, TEST_REDIS_URL } from '../support/services';
import { monitorRedis } from '../support/redis-monitor';

const prefix = `test:lua:${randomBytes(4).toString('hex')}:`;
let redis: RedisClientType;

beforeAll(async () => {
  redis = createClient({ url: TEST_REDIS_URL }) as RedisClientType;
  await redis.connect();
});

afterAll(async () => {
  await deleteRedisKeys(prefix);
  await redis.quit();
});

describe('a Lua script', () => {
  // Unique text (a comment with this run's prefix): no other test file has loaded it.
  const incrementBy = luaScript(`-- ${prefix}
return redis.call('INCRBY', KEYS[1], ARGV[1])`);

  test('when Redis does not hold it yet then it is sent once in full, and by its SHA-1 after that', async () => {
    const monitor = await monitorRedis(TEST_REDIS_URL, prefix);
    try {
      const key = `${prefix}counter`;
      expect(await incrementBy(redis, { keys: [key], arguments: ['2'] })).toBe(2);
      expect(await incrementBy(redis, { keys: [key], arguments: ['3'] })).toBe(5);
      expect(await incrementBy(redis, { keys: [key], arguments: ['4'] })).toBe(9);
      // The first EVALSHA is refused (NOSCRIPT), then EVAL sends the text and Redis keeps it.
      expect(await monitor.takeScriptCalls()).toEqual(['EVALSHA', 'EVAL', 'EVALSHA', 'EVALSHA']);
      expect((await monitor.take()).map((c) => c.name)).toEqual(['INCRBY', 'INCRBY', 'INCRBY']);
    } finally {
      await monitor.close();
    }
  });

  test('when Redis lost its scripts (a restart, a failover) then the next call loads it again', async () => {
    const key = `${prefix}after-flush`;
    expect(await incrementBy(redis, { keys: [key], arguments: ['1'] })).toBe(1);
    await redis.scriptFlush();
    expect(await incrementBy(redis, { keys: [key], arguments: ['1'] })).toBe(2);
    expect(await incrementBy(redis, { keys: [key], arguments: ['1'] })).toBe(3);
  });

  test('when the script itself fails then its error reaches the caller, not a second attempt', async () => {
    const broken = luaScript(`-- ${prefix} broken
return redis.call('INCRBY', KEYS[1], 'not a number')`);
    await expect(broken(redis, { keys: [`${prefix}broken`], arguments: [] })).rejects.toThrow(
      /not an integer/,
    );
  });
});
