import { existsSync } from 'node:fs';
import { freePort } from '../support/nginx';
import { startClusterWorld, type ClusterWorld } from '../../bench/cluster-world';
import {
  SENTINEL_NAME,
  startSentinelTopology,
  type SentinelTopology,
} from '../../bench/redis-topology';
import { failoverPhase } from '../../bench/sentinel-phase';
import { openSessions, sessionWorks } from '../../bench/sentinel-load';
import { createRedisClient } from '../../src/redis/client';
import { createLogger } from '../../src/shared/logger';
import { loadConfig } from '../../src/config';
import { createLockout } from '../../src/domain/passwords/lockout';
import { createImportDrafts } from '../../src/domain/establishments/import-drafts';

jest.setTimeout(180_000);

/**
 * `npm run check:sentinel` reduced: a primary, a replica and three sentinels of this test only,
 * one real app process (src/main.ts) configured with REDIS_SENTINELS and nothing else for Redis,
 * and a kill -9 of the primary (right after WAIT) during a login load.
 */
const haveSentinel = existsSync('/usr/bin/redis-sentinel');
if (!haveSentinel)
  console.warn(
    'Sentinel test skipped: /usr/bin/redis-sentinel is absent (apt-get install redis-sentinel).',
  );
const describeWithSentinel = haveSentinel ? describe : describe.skip;

let topology: SentinelTopology | undefined;
let world: ClusterWorld | undefined;

beforeAll(async () => {
  if (!haveSentinel) return;
  topology = await startSentinelTopology();
  world = await startClusterWorld({
    instances: 1,
    loadUsers: 4,
    baseUrl: `http://127.0.0.1:${await freePort()}`,
    redisEnv: { REDIS_SENTINELS: topology.sentinels, REDIS_SENTINEL_NAME: SENTINEL_NAME },
    cleanRedis: async () => undefined,
  });
});
afterAll(async () => {
  await world?.stop();
  await topology?.stop();
});

describeWithSentinel('Redis through Sentinel', () => {
  it('when REDIS_SENTINELS is set then logins open sessions on the primary the sentinels name', async () => {
    const [session] = await openSessions({
      bases: [world!.instances[0]!.url],
      usernames: [world!.users.load[0]!.username],
      establishmentId: world!.establishmentId,
      count: 1,
    });
    expect(await sessionWorks(world!.instances[0]!.url, session!.cookie)).toBe(true);
    const primary = await topology!.primaryPort();
    const keys = await topology!.withNode(primary, (c) => c.keys(`${world!.keyPrefix}*`));
    expect(keys.some((k) => k.startsWith(`${world!.keyPrefix}sess:`))).toBe(true);
  });

  it('when the app modules run on the Sentinel client then the commands they use work (eval, multi, SCAN, getDel)', async () => {
    const config = loadConfig({
      REDIS_SENTINELS: topology!.sentinels,
      REDIS_SENTINEL_NAME: SENTINEL_NAME,
    });
    const redis = createRedisClient(
      'redis://unused',
      createLogger('silent'),
      config.redis.sentinel,
    );
    await redis.connect();
    try {
      const prefix = `${world!.keyPrefix}direct:`;
      // Brute force: rate-limiter-flexible's EVAL and MULTI, EXISTS, SET, and SCAN for the lists.
      const lockout = createLockout(redis, prefix, config.lockout);
      for (let i = 0; i < config.lockout.maxFailures; i++) {
        const gate = await lockout.reserve('enfermera.ruiz', '10.1.2.3');
        expect(gate.allowed).toBe(true);
        if (gate.allowed) await gate.failed();
      }
      expect((await lockout.reserve('enfermera.ruiz', '10.1.2.3')).allowed).toBe(false);
      expect(await lockout.isLocked('enfermera.ruiz')).toBe(true);
      expect((await lockout.listLocked()).usernames).toEqual(['enfermera.ruiz']);
      await lockout.reset('enfermera.ruiz');
      expect(await lockout.isLocked('enfermera.ruiz')).toBe(false);
      expect((await lockout.reserve('enfermera.ruiz', '10.1.2.3')).allowed).toBe(true);
      // Import drafts: SET EX, GET, DEL.
      const drafts = createImportDrafts(redis, prefix);
      const id = await drafts.save({ userId: 7, fileName: 'e.csv', text: 'codigo;nombre' });
      expect(await drafts.get(id, 7)).toMatchObject({ fileName: 'e.csv' });
      await drafts.discard(id);
      expect(await drafts.get(id, 7)).toBeNull();
      await redis.set(`${prefix}once`, '1');
      expect(await redis.getDel(`${prefix}once`)).toBe('1');
      expect(await redis.ping()).toBe('PONG');
    } finally {
      await redis.quit();
    }
  });

  it('when the primary is killed during logins then no request gets a 500, the app serves again and acknowledged sessions survive', async () => {
    const first = await topology!.primaryPort();
    const result = await failoverPhase(topology!, world!, 'kill-after-wait', {
      workers: 3,
      secondsBefore: 2,
      secondsAfter: 2,
      sessions: 4,
    });
    expect(result).toMatchObject({ answered500: 0, acknowledged: { lost: 0 } });
    expect(result.acknowledged!.sessions).toBeGreaterThanOrEqual(4);
    expect(result.recoveryMs).not.toBeNull();
    expect(await topology!.primaryPort()).not.toBe(first);
    expect(world!.instances[0]!.alive()).toBe(true);
  });
});
