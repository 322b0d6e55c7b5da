import { randomBytes, randomInt } from 'node:crypto';
import { createClient, TimeoutError, type RedisClientType } from 'redis';
import { createLockout, type Lockout } from '../../src/domain/passwords/lockout';
import type { LoginLimits } from '../../src/config/login-limits';
import { monitorRedis } from '../support/redis-monitor';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';
import { deleteRedisKeys, TEST_REDIS_URL } from '../support/services';

jest.setTimeout(30_000);

/**
 * A login's reservation (src/domain/passwords/lockout.ts): one Redis script, one round trip, that
 * spends nothing when Redis runs it after the request gave up on it, and that is not fooled by
 * the app's clock and Redis's disagreeing. The limits themselves are held by brute-force.test.ts
 * and password-spraying.test.ts through the login form.
 */
const limits: LoginLimits = {
  maxFailures: 3,
  durationInMinutes: 2,
  maxDurationInMinutes: 4,
  windowInMinutes: 1,
  maxFailuresPerAccount: 6,
  maxFailuresPerIp: 50,
  ipBlockDurationInMinutes: 4,
  maxFailingUsernamesPerDay: 20,
  trustedNetworks: [],
  trusted: { maxFailuresPerIp: 500, maxFailingUsernamesPerDay: 200 },
};

const prefix = `test:reserve:${randomBytes(4).toString('hex')}:`;
const newIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
let redis: RedisClientType;

/** A first call, so that Redis holds the script (a new text: EVALSHA refused, then EVAL). */
async function warmUp(lockout: Lockout): Promise<void> {
  const gate = await lockout.reserve('warm-up', newIp());
  if (gate.allowed) await gate.abandoned();
}

beforeAll(async () => {
  redis = createClient({ url: TEST_REDIS_URL }) as RedisClientType;
  await redis.connect();
});
afterEach(() => jest.restoreAllMocks());
afterAll(async () => {
  await deleteRedisKeys(prefix);
  await redis.quit();
});

describe('a login reservation', () => {
  test('when it is allowed, refused or settled then the decision is one round trip to Redis', async () => {
    const lockout = createLockout(redis, prefix, limits);
    await warmUp(lockout);
    const monitor = await monitorRedis(TEST_REDIS_URL, prefix);
    try {
      const ip = newIp();
      for (let i = 0; i < limits.maxFailures; i++) {
        const gate = await lockout.reserve('ana', ip);
        expect(gate.allowed).toBe(true);
        expect(await monitor.roundTrips()).toBe(1);
        expect(await monitor.takeScriptCalls()).toEqual(['EVALSHA']);
        if (gate.allowed) await gate.failed();
        await monitor.roundTrips();
        await monitor.takeScriptCalls();
      }
      const refused = await lockout.reserve('ana', ip);
      expect(refused).toMatchObject({ allowed: false, reason: 'account_locked' });
      expect(await monitor.roundTrips()).toBe(1);
      expect(await monitor.takeScriptCalls()).toEqual(['EVALSHA']);
    } finally {
      await monitor.close();
    }
  });

  test('when a reservation is given back (a right password, or no password verified) then that is one round trip, and the counters are as before it', async () => {
    const lockout = createLockout(redis, prefix, limits);
    await warmUp(lockout);
    const ip = newIp();
    const counters = async () =>
      Object.fromEntries(
        await Promise.all(
          [
            `login-pair:flor|${ip}`,
            `login-ip:${ip}`,
            'login-account:flor',
            `login-known:flor|${ip}`,
          ].map(async (key) => [key.replace(/[|:].*$/, ''), await redis.get(`${prefix}${key}`)]),
        ),
      );
    const failed = await lockout.reserve('flor', ip);
    if (!failed.allowed) throw new Error(`refused: ${failed.reason}`);
    await failed.failed();
    const afterFailure = {
      'login-pair': '1',
      'login-ip': '1',
      'login-account': '1',
      'login-known': null,
    };
    expect(await counters()).toEqual(afterFailure);

    const monitor = await monitorRedis(TEST_REDIS_URL, prefix);
    /** A new reservation settled `how`: the settlement's round trips and how its scripts went. */
    const settle = async (how: 'abandoned' | 'succeeded') => {
      const gate = await lockout.reserve('flor', ip);
      if (!gate.allowed) throw new Error(`refused: ${gate.reason}`);
      await monitor.roundTrips();
      await monitor.takeScriptCalls();
      await gate[how]();
      return { roundTrips: await monitor.roundTrips(), scripts: await monitor.takeScriptCalls() };
    };
    try {
      expect(await settle('abandoned')).toEqual({ roundTrips: 1, scripts: ['EVALSHA'] });
      expect(await counters()).toEqual(afterFailure);

      expect(await settle('succeeded')).toEqual({ roundTrips: 1, scripts: ['EVALSHA'] });
      // The pair forgotten, the source's and account's points of this attempt returned, the
      // source remembered for the account (a month).
      expect(await counters()).toEqual({
        'login-pair': null,
        'login-ip': '1',
        'login-account': '1',
        'login-known': '1',
      });
      expect(await redis.ttl(`${prefix}login-known:flor|${ip}`)).toBeGreaterThan(29 * 24 * 3600);

      // Known now: its next reservation takes no account point, and gives none back.
      await settle('succeeded');
      expect((await counters())['login-account']).toBe('1');
    } finally {
      await monitor.close();
    }
  });

  test('when Redis runs it after a stall longer than a request waits then it spends nothing and the caller gets a timeout', async () => {
    const own: OwnRedis = await startOwnRedis();
    const client = createClient({ url: own.url }) as RedisClientType;
    client.on('error', () => {});
    await client.connect();
    try {
      const lockout = createLockout(client, prefix, limits);
      await warmUp(lockout);
      const before = await client.keys(`${prefix}*`);

      // Sent while Redis sleeps: it waits in Redis's socket and runs when the sleep ends, 3 s
      // after it was sent, past the 2 s a request waits for Redis.
      const pause = await own.pause('debug-sleep', 3);
      const reservation = lockout.reserve('ana', newIp());
      await expect(reservation).rejects.toBeInstanceOf(TimeoutError);
      await pause.ended;
      expect((await client.keys(`${prefix}*`)).sort()).toEqual(before.sort());

      // Answered in time, the same call spends its points.
      const gate = await lockout.reserve('ana', '10.1.2.3');
      expect(gate.allowed).toBe(true);
      expect(await client.get(`${prefix}login-pair:ana|10.1.2.3`)).toBe('1');
    } finally {
      client.destroy();
      await own.close();
    }
  });

  test.each([
    ['ten minutes behind', -600_000, 'bea'],
    ['ten minutes ahead of', 600_000, 'carla'],
  ])(
    "when the app's clock is %s Redis's then logins are still counted, once each",
    async (_name, skewMs, username) => {
      const lockout = createLockout(redis, prefix, limits);
      await warmUp(lockout);
      const now = Date.now.bind(Date);
      jest.spyOn(Date, 'now').mockImplementation(() => now() + skewMs);
      const monitor = await monitorRedis(TEST_REDIS_URL, prefix);
      try {
        const ip = newIp();
        const first = await lockout.reserve(username, ip);
        const second = await lockout.reserve(username, ip);
        expect([first.allowed, second.allowed]).toEqual([true, true]);
        // Each point spent once: a script run past its deadline changed nothing.
        expect(await redis.get(`${prefix}login-pair:${username}|${ip}`)).toBe('2');
        expect(await redis.get(`${prefix}login-account:${username}`)).toBe('2');
        // Behind: the first call is "late" by Redis's clock, then the offset is known.
        expect(await monitor.takeScriptCalls()).toEqual(
          skewMs < 0 ? ['EVALSHA', 'EVALSHA', 'EVALSHA'] : ['EVALSHA', 'EVALSHA'],
        );
      } finally {
        await monitor.close();
      }
    },
  );

  test("when a pair's lock and the account's throttle both mark the account then administrators see the longer of the two", async () => {
    const lockout = createLockout(redis, prefix, limits);
    const markTtl = (username: string) => redis.pTTL(`${prefix}login-locked:${username}`);
    const fail = async (username: string, ip: string) => {
      const gate = await lockout.reserve(username, ip);
      if (gate.allowed) return (await gate.failed()).lockStarted;
      return gate.reason;
    };
    const lock = limits.durationInMinutes * 60_000;
    const throttle = limits.windowInMinutes * 60_000;

    // The pair's 2-minute lock first: the account's later 1-minute throttle does not shorten it.
    const ward = newIp();
    for (let i = 1; i <= limits.maxFailures; i++) expect(await fail('dora', ward)).toBe(i === 3);
    expect(await markTtl('dora')).toBeGreaterThan(lock - 5_000);
    // Three more sources reach the account's limit of 6; the next one is throttled.
    for (let i = 0; i < 3; i++) expect(await fail('dora', newIp())).toBe(false);
    expect(await fail('dora', newIp())).toBe('throttled_account');
    expect(await markTtl('dora')).toBeGreaterThan(lock - 5_000);

    // The throttle first: a pair's lock from a source the account knows lengthens the mark.
    const known = newIp();
    const ok = await lockout.reserve('eva', known);
    if (!ok.allowed) throw new Error(`refused: ${ok.reason}`);
    await ok.succeeded();
    for (let i = 0; i < limits.maxFailures - 1; i++) expect(await fail('eva', known)).toBe(false);
    for (let i = 0; i < limits.maxFailuresPerAccount; i++) await fail('eva', newIp());
    expect(await fail('eva', newIp())).toBe('throttled_account');
    const throttled = await markTtl('eva');
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThanOrEqual(throttle);
    expect(await fail('eva', known)).toBe(true);
    expect(await markTtl('eva')).toBeGreaterThan(lock - 5_000);
    expect(await lockout.isLocked('eva')).toBe(true);
  });
});
